using System.Net;
using System.Net.Sockets;

namespace Build.Tests.Fixtures;

/// <summary>
/// A loopback HTTP server (127.0.0.1, a free port) standing in for the helper's release bucket: it serves the
/// files it is given by path, 404 for anything else, and never answers paths listed as hanging.
/// </summary>
public sealed class ReleaseServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();

    public ReleaseServer()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseUrl = $"http://127.0.0.1:{port}/releases";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public string BaseUrl { get; }

    public Dictionary<string, byte[]> Files { get; } = [];

    public HashSet<string> Hanging { get; } = [];

    public List<string> Requests { get; } = [];

    /// <summary>How long every answer waits (a slow mirror).</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    /// <summary>Answers wait until this is set (a test holds a download open as long as it needs to).</summary>
    public ManualResetEventSlim Gate { get; } = new(initialState: true);

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext request;
            try
            {
                request = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            var path = request.Request.Url!.AbsolutePath;
            lock (Requests)
            {
                Requests.Add(path);
            }

            if (Hanging.Contains(path))
            {
                continue;
            }

            await Task.Delay(Delay);
            await Task.Run(() => Gate.Wait(_stop.Token));

            using var response = request.Response;
            if (Files.TryGetValue(path, out var body))
            {
                response.ContentLength64 = body.Length;
                await response.OutputStream.WriteAsync(body);
            }
            else
            {
                response.StatusCode = 404;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _stop.Dispose();
    }
}
