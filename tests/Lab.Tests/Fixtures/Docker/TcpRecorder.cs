using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lab.Fixtures.Docker;

/// <summary>
/// A TCP listener that records every byte it is sent. With a target it relays each connection there (both ways,
/// half-closes passed on, so docker exec's stdin works through it) and records both directions; without one it
/// reads one request head and answers HTTP 500 <c>{"message":"recorded"}</c>.
/// </summary>
public sealed class TcpRecorder : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<CancellationToken, Task<Socket>>? _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly MemoryStream _received = new();
    private readonly MemoryStream _sent = new();
    private readonly Task _accepting;

    private TcpRecorder(IPAddress address, Func<CancellationToken, Task<Socket>>? target)
    {
        _listener = new TcpListener(address, 0);
        _listener.Start();
        _target = target;
        _accepting = AcceptAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Connections accepted so far.</summary>
    public int Connections { get { lock (_connections) { return _connections.Count; } } }

    /// <summary>Everything clients sent and (when relaying) the target answered, as Latin-1 text.</summary>
    public string Text
    {
        get
        {
            lock (_received)
            {
                lock (_sent)
                {
                    return Encoding.Latin1.GetString(_received.ToArray()) + Encoding.Latin1.GetString(_sent.ToArray());
                }
            }
        }
    }

    /// <summary>The bytes clients sent.</summary>
    public byte[] Received { get { lock (_received) { return _received.ToArray(); } } }

    public static TcpRecorder Start(IPAddress address, Func<CancellationToken, Task<Socket>>? target = null) => new(address, target);

    public static async Task<Socket> ConnectAsync(EndPoint target, CancellationToken cancel)
    {
        var socket = target is UnixDomainSocketEndPoint ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) : new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(target, cancel);
        return socket;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Task[] running;
        lock (_connections)
        {
            running = [_accepting, .. _connections];
        }

        await Task.WhenAll(running.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            lock (_connections)
            {
                _connections.Add(_target is null ? AnswerAsync(client) : RelayAsync(client, _target));
            }
        }
    }

    private async Task AnswerAsync(Socket client)
    {
        using (client)
        {
            var buffer = new byte[8192];
            var head = new StringBuilder();
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await client.ReceiveAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                Record(_received, buffer, read);
                head.Append(Encoding.Latin1.GetString(buffer, 0, read));
            }

            const string body = "{\"message\":\"recorded\"}";
            await client.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"), _stop.Token);
            client.Shutdown(SocketShutdown.Both);
        }
    }

    private async Task RelayAsync(Socket client, Func<CancellationToken, Task<Socket>> connect)
    {
        using (client)
        using (var target = await connect(_stop.Token))
        {
            await Task.WhenAll(CopyAsync(client, target, _received), CopyAsync(target, client, _sent));
        }
    }

    private async Task CopyAsync(Socket from, Socket to, MemoryStream record)
    {
        var buffer = new byte[65536];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, _stop.Token)) > 0)
            {
                Record(record, buffer, read);
                await to.SendAsync(buffer.AsMemory(0, read), _stop.Token);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // One side went away: end the other copy too.
            foreach (var socket in new[] { from, to })
            {
                try
                {
                    socket.Shutdown(SocketShutdown.Both);
                }
                catch (Exception closed) when (closed is SocketException or ObjectDisposedException)
                {
                    // Already gone.
                }
            }
        }
    }

    private static void Record(MemoryStream record, byte[] buffer, int count)
    {
        lock (record)
        {
            record.Write(buffer, 0, count);
        }
    }
}
