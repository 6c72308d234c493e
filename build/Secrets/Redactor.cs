namespace Build.Secrets;

/// <summary>
/// The run's known secrets: masks every spelling of them in text before it is logged or thrown, and
/// names the one a text holds (so that a process whose arguments hold a secret is refused, naming the
/// setting, never the value). One per run; secrets learnt later are added.
/// </summary>
public sealed class Redactor
{
    private readonly object _gate = new();
    private (string Form, string Name)[] _forms = [];
    private (string Name, Secret Secret)[] _secrets = [];

    /// <summary>The registered secrets with their names (a setting such as GITLAB_TOKEN, or what they are).</summary>
    public IReadOnlyList<(string Name, Secret Secret)> Secrets => _secrets;

    /// <summary>Registers a secret under a name that may be shown in errors; values shorter than <see cref="SecretForms.MinimumLength"/> are ignored.</summary>
    public void Add(Secret secret, string name = "a secret")
    {
        var value = secret.Reveal();
        if (value.Length < SecretForms.MinimumLength)
        {
            return;
        }

        lock (_gate)
        {
            if (_secrets.Any(s => s.Secret.Equals(secret)))
            {
                return;
            }

            _secrets = [.. _secrets, (name, secret)];
            // Longest first, so a secret that contains another is masked whole.
            _forms = [.. _forms.Concat(SecretForms.Of(value).Select(form => (form, name))).OrderByDescending(f => f.Item1.Length)];
        }
    }

    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        foreach (var (form, _) in _forms)
        {
            text = text.Replace(form, Secret.Mask, StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>The name of a registered secret that <paramref name="text"/> holds in any spelling, or null.</summary>
    public string? NameOfSecretIn(string? text) =>
        string.IsNullOrEmpty(text) ? null : _forms.FirstOrDefault(f => text.Contains(f.Form, StringComparison.Ordinal)).Name;
}
