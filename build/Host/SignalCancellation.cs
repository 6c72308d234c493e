using System.Runtime.InteropServices;

namespace Build.Host;

/// <summary>Turns the first Ctrl-C or SIGTERM into cancellation; a second one ends the process the default way.</summary>
public static class SignalCancellation
{
    public static async Task<int> RunAsync(Func<CancellationToken, Task<int>> run)
    {
        using var cancellation = new CancellationTokenSource();
        void Cancel(PosixSignalContext signal)
        {
            if (!cancellation.IsCancellationRequested)
            {
                signal.Cancel = true;
                cancellation.Cancel();
            }
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        return await run(cancellation.Token);
    }
}
