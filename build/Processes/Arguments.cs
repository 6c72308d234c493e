using Cake.Core;
using Cake.Core.IO;

namespace Build.Processes;

/// <summary>Builds Cake argument lists from words, quoting the ones a command line would split.</summary>
public static class Arguments
{
    public static ProcessArgumentBuilder Of(params IEnumerable<string> words) => new ProcessArgumentBuilder().AppendWords(words);

    public static ProcessArgumentBuilder AppendWords(this ProcessArgumentBuilder builder, IEnumerable<string> words)
    {
        foreach (var word in words)
        {
            if (word.Length == 0 || word.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\'))
            {
                builder.AppendQuoted(word);
            }
            else
            {
                builder.Append(word);
            }
        }

        return builder;
    }
}
