using System.Text;
using Build.Docker;
using Build.Settings;

namespace Build.Aws;

/// <summary>The Mirror target's output: every image in its pull-through form through each configured rule, as a table.</summary>
public static class PullThroughTable
{
    public static string Render(PullThroughSettings cache, IReadOnlyList<ImageReference> images)
    {
        var registry = cache.Registry ?? throw new BuildFailure("no registry holds the pull-through cache rules", $"set {SettingCatalog.PullThroughRegistry.Key} (or {SettingCatalog.PrivateImage.Key})");
        var rows = images.SelectMany(image => cache.Rules.Select(rule => (Image: image.ToString(), Translation: rule.Translate(image, registry)))).ToList();
        var header = (Image: "image", Prefix: "prefix", Upstream: "upstream", Pull: "pull it as");
        var w1 = rows.Select(r => r.Image.Length).Append(header.Image.Length).Max();
        var w2 = rows.Select(r => r.Translation.Rule.Prefix.Length).Append(header.Prefix.Length).Max();
        var w3 = rows.Select(r => r.Translation.Rule.Upstream.Host.Length).Append(header.Upstream.Length).Max();
        var text = new StringBuilder($"pull-through cache of {registry.Host} ({cache.Rules.Count} rules)\n");
        void Line(string a, string b, string c, string d) => text.Append(a.PadRight(w1)).Append("  ").Append(b.PadRight(w2)).Append("  ").Append(c.PadRight(w3)).Append("  ").Append(d).Append('\n');
        Line(header.Image, header.Prefix, header.Upstream, header.Pull);
        Line(new string('-', w1), new string('-', w2), new string('-', w3), new string('-', header.Pull.Length));
        foreach (var (image, t) in rows)
        {
            Line(image, t.Rule.Prefix, t.Rule.Upstream.Host, t.Reference is null ? $"- ({t.Refusal})" : t.Reference + (t.Note is null ? string.Empty : $" ({t.Note})"));
        }

        foreach (var rule in cache.Rules)
        {
            text.Append(Note(rule, registry)).Append('\n');
        }

        text.Append($"A first pull imports the image into {registry.Host}: the pulling identity needs ecr:BatchImportUpstreamImage, and ecr:CreateRepository for a repository not yet made. ./build.sh --target=Preflight checks the rules.\n");
        return text.ToString();
    }

    private static string Note(PullThroughRule rule, EcrRegistry registry) => rule.Upstream.Access switch
    {
        UpstreamAccess.Secret => $"{rule.Prefix}: {rule.Upstream.Name} needs a Secrets Manager secret named {PullThroughUpstream.SecretPrefix}… (its user name and access token) in account {registry.AccountId}, {registry.Region}, named by the rule",
        UpstreamAccess.IamRole => $"{rule.Prefix}: another ECR registry as upstream needs an IAM role the rule names when it is another account's",
        UpstreamAccess.None => $"{rule.Prefix}: {rule.Upstream.Name} needs no credentials",
        _ => $"{rule.Prefix}: {rule.Upstream.Host} is not an upstream this build knows; ./build.sh --target=Preflight shows the rule as AWS describes it",
    };
}
