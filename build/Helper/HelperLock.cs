namespace Build.Helper;

/// <summary>
/// An exclusive lock on <c>helper.lock</c> in the state folder (an OS file lock, so a killed run releases it):
/// two BuildHelper runs never write the output at the same time.
/// </summary>
public sealed class HelperLock : IDisposable
{
    private readonly FileStream _stream;

    private HelperLock(FileStream stream) => _stream = stream;

    public static HelperLock Acquire(string folder, Action<string> waiting, CancellationToken cancellation)
    {
        System.IO.Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "helper.lock");
        var told = false;
        while (true)
        {
            try
            {
                return new HelperLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException)
            {
                if (!told)
                {
                    waiting($"Another BuildHelper run holds {path}; waiting for it to finish.");
                    told = true;
                }

                cancellation.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(250));
                cancellation.ThrowIfCancellationRequested();
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
