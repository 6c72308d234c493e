using System.Text.Json;

namespace Build.Runner;

/// <summary>What the last successful Up started, kept in STATE_DIR/compose/up.json: a no-op run compares against it.</summary>
/// <param name="TokenContainerId">The token refresher's container (DIND_AUTH=token); null in helper mode.</param>
public sealed record UpState(string InputsHash, string ContainerId, string? TokenContainerId = null)
{
    public static UpState? Read(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<UpState>(File.ReadAllText(path)) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Write(string path) => Files.AtomicFile.Write(path, JsonSerializer.Serialize(this) + "\n");
}
