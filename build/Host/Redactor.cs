using Build.Settings;

namespace Build.Host;

/// <summary>Replaces every known secret value in a text with a mask. One per run; secrets learnt later are added.</summary>
public sealed class Redactor
{
    // Short values would mask ordinary words; real keys and tokens are far longer.
    private const int MinimumLength = 6;
    private readonly object _gate = new();
    private string[] _values = [];

    public void Add(Secret secret)
    {
        var value = secret.Reveal();
        if (value.Length < MinimumLength)
        {
            return;
        }

        lock (_gate)
        {
            if (!_values.Contains(value, StringComparer.Ordinal))
            {
                // Longest first, so a secret that contains another is masked whole.
                _values = [.. _values.Append(value).OrderByDescending(v => v.Length)];
            }
        }
    }

    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        foreach (var value in _values)
        {
            text = text.Replace(value, Secret.Mask, StringComparison.Ordinal);
        }

        return text;
    }
}
