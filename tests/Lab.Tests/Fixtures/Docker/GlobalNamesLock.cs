namespace Lab.Fixtures.Docker;

/// <summary>
/// A cross-process lock for the lab's global names (public.ecr.aws, ECR Public's API): an exclusive flock on a file
/// under /run/lock (.NET takes flock(LOCK_EX) for FileShare.None), so two test runs never claim the same name in
/// /etc/hosts and certs.d at once. The kernel drops the lock when its process dies; the holder's owner is written
/// beside it so that a waiting run can say whom it waits for.
/// </summary>
public sealed class GlobalNamesLock : IDisposable
{
    public const string DefaultPath = "/run/lock/ecrlab-global-names.lock";

    private readonly FileStream _file;
    private readonly string _ownerFile;

    private GlobalNamesLock(FileStream file, string ownerFile)
    {
        _file = file;
        _ownerFile = ownerFile;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the lock; a <see cref="LabException"/> naming the holder after that.</summary>
    public static async Task<GlobalNamesLock> AcquireAsync(RunOwner owner, TimeSpan timeout, CancellationToken cancel, string path = DefaultPath)
    {
        var ownerFile = Path.ChangeExtension(path, ".owner");
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                File.WriteAllText(ownerFile, owner + "\n");
                return new GlobalNamesLock(file, ownerFile);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, cancel);
            }
            catch (IOException ex)
            {
                var holder = File.Exists(ownerFile) ? File.ReadAllText(ownerFile).Trim() : "unknown";
                throw new LabException($"the lab's global names (public.ecr.aws, api.ecr-public.us-east-1.amazonaws.com) are held by another test run ({holder}) for more than {timeout.TotalSeconds:0} s ({path}: {ex.Message}); wait for it to finish, or end it", ex);
            }
        }
    }

    public void Dispose()
    {
        File.Delete(_ownerFile);
        _file.Dispose();
    }
}
