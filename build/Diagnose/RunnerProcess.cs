using Build.Aws;
using Build.Helper;

namespace Build.Diagnose;

/// <summary>What a helper binary is where it was found: whether it runs, how it is linked, its version.</summary>
/// <param name="Runs">It ran (its <c>-v</c> exited 0).</param>
/// <param name="Said">Why it cannot run (the exit code and the first line of the error), when it does not.</param>
/// <param name="Linking">Null for a static ELF executable; otherwise why it is not one (a glibc program interpreter, a script, ...).</param>
public sealed record FoundHelper(string Path, bool Runs, string? Said, string? Version, string? Linking);

/// <summary>What the helper's <c>get</c> gave: a token (registered with the redactor and dropped) or the cause from its log.</summary>
public sealed record HelperAnswer(bool Succeeded, string Error, AwsFailure? Cause, DateTimeOffset? Expires = null);

/// <summary>
/// Where the runner process runs (a container, or this host), seen the way the runner sees it: its environment, its
/// PATH, its HOME and files, and the helper as it runs it. Everything here only reads; a helper's <c>get</c> writes
/// its cache and log to a throwaway folder that is removed again.
/// </summary>
public interface IRunnerProcess
{
    /// <summary>"the container x" or "this host": for messages.</summary>
    string Where { get; }

    bool InContainer { get; }

    /// <summary>The process's environment (secret values are registered with the redactor when read).</summary>
    IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>HOME as the process has it, or null when it has none.</summary>
    string? Home { get; }

    /// <summary>The process's user id, when it can be read.</summary>
    int? UserId { get; }

    /// <summary>The platform of the process's binaries, when known.</summary>
    HelperPlatform? Platform { get; }

    /// <summary>The absolute path <paramref name="program"/> has on the process's PATH, or null.</summary>
    string? Which(string program);

    FoundHelper Inspect(string path);

    /// <summary>The text of a file as the process would read it; null when it is absent or unreadable.</summary>
    string? ReadFile(string path);

    /// <summary>Whether the process may read the file at <paramref name="path"/> (without reading it: it may hold keys).</summary>
    bool Readable(string path);

    /// <summary>Whether the process may create or write <paramref name="folder"/> (its nearest existing parent); null when unknown.</summary>
    bool? CanWrite(string folder);

    /// <summary>The output of <c>gitlab-runner --version</c>, or null when there is no gitlab-runner to ask.</summary>
    string? RunnerVersionText();

    /// <summary>The helper's <c>get</c> for <paramref name="host"/>, with the process's environment (plus a throwaway cache); null when it cannot be asked from here.</summary>
    HelperAnswer? Get(string helper, string host);
}
