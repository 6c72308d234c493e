using System.Text.RegularExpressions;
using Build.Docker;

namespace Build.Settings;

/// <summary>Server mode: a local GitLab CE container beside the runner, bootstrapped with a project for it.</summary>
public sealed partial record ServerSettings
{
    private ServerSettings()
    {
    }

    /// <summary>SERVER: run the local GitLab (compose profile) and register the runner with it.</summary>
    public required bool Enabled { get; init; }

    public required ImageReference Image { get; init; }

    /// <summary>GITLAB_SERVER_WEB_PORT: the loopback port of its web UI and API.</summary>
    public required int WebPort { get; init; }

    public required int SshPort { get; init; }

    /// <summary>GITLAB_SERVER_TIMEOUT: how long Up waits for the local GitLab's readiness.</summary>
    public required TimeSpan Timeout { get; init; }

    /// <summary>GITLAB_SERVER_PROJECT: the smoke-test project's path under root on the local GitLab.</summary>
    public required string Project { get; init; }

    public static ServerSettings Read(SettingsLayers s)
    {
        var settings = new ServerSettings
        {
            Enabled = s.Flag(SettingCatalog.Server),
            Image = s.Defaulted(SettingCatalog.ServerImage, SettingParsers.Image),
            WebPort = s.Defaulted(SettingCatalog.ServerWebPort, SettingParsers.Port),
            SshPort = s.Defaulted(SettingCatalog.ServerSshPort, SettingParsers.Port),
            Timeout = s.Defaulted(SettingCatalog.ServerTimeout, text => SettingParsers.WholeSeconds(text, 10, 86400)),
            Project = s.Defaulted(SettingCatalog.ServerProject, SettingParsers.Matching(ProjectPattern())),
        };

        // A refused port reads 0 and is reported already.
        if (settings.Enabled && settings.WebPort == settings.SshPort && settings.WebPort != 0)
        {
            s.Fail(SettingCatalog.ServerSshPort, "it must differ from GITLAB_SERVER_WEB_PORT");
        }

        if (settings.Enabled)
        {
            // Checked here, not in GitLabSettings: server mode is what replaces these settings, with its own GitLab, root token and project.
            foreach (var setting in new[] { SettingCatalog.GitLabUrl, SettingCatalog.GitLabToken, SettingCatalog.RunnerToken, SettingCatalog.RegistrationToken, SettingCatalog.GitLabProject })
            {
                if (s.Get(setting) is { Origin: SettingOrigin.Argument or SettingOrigin.Environment or SettingOrigin.DotEnvLocal } value && value.Text.Trim().Length > 0)
                {
                    s.Fail(setting, $"SERVER=true uses the local GitLab, its root token and GITLAB_SERVER_PROJECT: unset {setting.Key}, or set SERVER=false to use the GitLab it names");
                }
            }
        }

        return settings;
    }

    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\z")]
    private static partial Regex ProjectPattern();
}
