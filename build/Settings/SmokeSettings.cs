using System.Globalization;
using System.Text.RegularExpressions;

namespace Build.Settings;

/// <summary>How SmokeTest runs its DinD service, and its pipeline mode (on when GITLAB_TOKEN and GITLAB_PROJECT are set).</summary>
public sealed partial record SmokeSettings
{
    private SmokeSettings()
    {
    }

    /// <summary>DIND_PRIVILEGED: the DinD service privileged, or with the equivalent capability set.</summary>
    public required bool DindPrivileged { get; init; }

    /// <summary>PIPELINE_BRANCH: the branch pipeline mode commits the example pipeline to.</summary>
    public required string PipelineBranch { get; init; }

    /// <summary>PIPELINE_TIMEOUT: how long pipeline mode follows the pipeline.</summary>
    public required TimeSpan PipelineTimeout { get; init; }

    /// <summary>PIPELINE_PENDING_TIMEOUT: how long a job may stay pending before pipeline mode says why.</summary>
    public required TimeSpan PipelinePendingTimeout { get; init; }

    /// <summary>PIPELINE_POLL_INTERVAL: the time between two looks at the pipeline's jobs.</summary>
    public required TimeSpan PipelinePollInterval { get; init; }

    public static SmokeSettings Read(SettingsLayers s) => new()
    {
        DindPrivileged = s.Flag(SettingCatalog.DindPrivileged),
        PipelineBranch = s.Defaulted(SettingCatalog.PipelineBranch, SettingParsers.Matching(BranchPattern())),
        PipelineTimeout = s.Defaulted(SettingCatalog.PipelineTimeout, text => SettingParsers.WholeSeconds(text, 10, 86400)),
        PipelinePendingTimeout = s.Defaulted(SettingCatalog.PipelinePendingTimeout, text => SettingParsers.WholeSeconds(text, 5, 86400)),
        PipelinePollInterval = s.Defaulted(SettingCatalog.PipelinePollInterval, PollSeconds),
    };

    [GeneratedRegex(@"\A(?!/)(?!.*//)(?!.*\.\.)(?!.*/\z)(?!.*\.lock\z)[A-Za-z0-9._/-]{1,200}\z")]
    private static partial Regex BranchPattern();

    private static TimeSpan? PollSeconds(string text) =>
        double.TryParse(text.Trim(' ', '\t'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) && n >= 0.1 && n <= 60 ? TimeSpan.FromSeconds(n) : null;
}
