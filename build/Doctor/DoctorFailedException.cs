namespace Build.Doctor;

/// <summary>Doctor's verdict: at least one check failed; each FAIL line of its report says how to fix it.</summary>
public sealed class DoctorFailedException(IReadOnlyList<string> failed)
    : BuildFailure($"Doctor found {failed.Count} problem(s) ({string.Join(", ", failed)})", "each FAIL line above says how to fix it");
