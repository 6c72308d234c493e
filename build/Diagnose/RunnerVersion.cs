using System.Text.RegularExpressions;

namespace Build.Diagnose;

/// <summary>The runner's version as <c>gitlab-runner --version</c> prints it, and what each feature needs of it.</summary>
public sealed partial record RunnerVersion(Version? Number, string Text)
{
    /// <summary>credsStore in DOCKER_AUTH_CONFIG.</summary>
    public static readonly Version CredsStore = new(9, 5);

    /// <summary>credHelpers in DOCKER_AUTH_CONFIG.</summary>
    public static readonly Version CredHelpers = new(12, 0);

    /// <summary>The job-log warning "Failed to resolve credentials from $DOCKER_AUTH_CONFIG".</summary>
    public static readonly Version ResolveWarning = new(18, 11);

    /// <summary>The version in <paramref name="output"/> (<c>Version:      17.4.0</c>), or an unknown one saying why.</summary>
    public static RunnerVersion From(string? output, string where)
    {
        if (output is null)
        {
            return new RunnerVersion(null, $"unknown: no gitlab-runner to ask on the PATH of the runner process {where}");
        }

        var match = VersionLine().Match(output);
        return match.Success && Version.TryParse(match.Groups[1].Value, out var number)
            ? new RunnerVersion(number, $"gitlab-runner {match.Groups[1].Value} (gitlab-runner --version {where})")
            : new RunnerVersion(null, $"unknown: gitlab-runner --version {where} printed no version");
    }

    /// <summary>True when the version is known and older than <paramref name="needed"/>.</summary>
    public bool Below(Version needed) => Number is { } number && number < needed;

    /// <summary>What the job log says when a helper cannot run, for this version.</summary>
    public string WhatTheJobLogSays => Number is null
        ? $"runner {ResolveWarning} and later warn \"Failed to resolve credentials from $DOCKER_AUTH_CONFIG\" in the job log, older ones say nothing (this runner's version is unknown)"
        : Below(ResolveWarning)
            ? $"this runner ({Number}) says nothing about it (the warning \"Failed to resolve credentials from $DOCKER_AUTH_CONFIG\" came with {ResolveWarning})"
            : $"this runner ({Number}) warns \"Failed to resolve credentials from $DOCKER_AUTH_CONFIG\" in the job log";

    [GeneratedRegex(@"^Version:\s+v?([0-9]+\.[0-9]+(?:\.[0-9]+)?)", RegexOptions.Multiline)]
    private static partial Regex VersionLine();
}
