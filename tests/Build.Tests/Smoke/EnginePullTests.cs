using System.Net;
using System.Net.Sockets;
using Build.Docker;
using Build.Secrets;
using Build.Smoke;

namespace Build.Tests.Smoke;

/// <summary>The Engine API pull sends the token only where <see cref="EngineEndpoint.Judged"/> lets it, and its messages never hold it.</summary>
public sealed class EnginePullTests : IDisposable
{
    private const string Image = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0";
    private static readonly Secret Token = new("ecr-token-" + Guid.NewGuid().ToString("N"));
    private readonly string _folder = Directory.CreateTempSubdirectory("engine-pull-").FullName;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public EnginePullTests() => _listener.Start();

    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Dispose()
    {
        _listener.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_refused_endpoint_gets_no_connection_and_the_failure_says_why_without_the_token()
    {
        // Given TLS without verification to a listener on loopback (refused there too)
        var endpoint = EngineEndpoints.Resolve(Environment(("DOCKER_HOST", $"tcp://127.0.0.1:{Port}"), ("DOCKER_TLS", "1")));

        // When the pull is asked for
        var failure = await new EnginePull(endpoint, "1.41").PullAsync(Image, "r.example", "AWS", Token, TimeSpan.FromSeconds(10), CancellationToken.None);

        // Then nothing connected, and the failure names the refusal and its fix, not the token
        Assert.False(_listener.Pending(), "the refused endpoint got a connection");
        Assert.NotNull(failure);
        Assert.Contains($"the pull of {Image} was not sent", failure.Cause);
        Assert.Contains("without verifying", failure.Cause);
        Assert.Contains("DOCKER_TLS_VERIFY=1", failure.Fix);
        AssertNoToken(failure);
    }

    [Fact]
    public async Task A_TLS_endpoint_that_does_not_answer_fails_naming_the_endpoint_without_the_token()
    {
        // Given a verified TLS endpoint on a loopback port nobody listens on
        var port = Port;
        _listener.Stop();
        File.WriteAllText(Path.Combine(_folder, "ca.pem"), string.Empty);
        var endpoint = EngineEndpoints.Resolve(Environment(("DOCKER_HOST", $"tcp://127.0.0.1:{port}"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", _folder)));

        // When the pull runs, then it returns the failure (no exception) with the endpoint, the reason and the fix
        var failure = await new EnginePull(endpoint, "1.41").PullAsync(Image, "r.example", "AWS", Token, TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.NotNull(failure);
        Assert.Contains($"the connection to the host daemon at tcp://127.0.0.1:{port} over TLS", failure.Cause);
        Assert.Contains("failed: Connection refused", failure.Cause);
        Assert.Contains("DOCKER_CERT_PATH", failure.Fix);
        AssertNoToken(failure);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("::1", "[::1]")]
    [InlineData("127.0.0.1", "localhost")]
    public async Task Plain_tcp_on_loopback_gets_the_request_with_the_header(string listen, string host)
    {
        // Given a listener on a loopback address that answers any request with an error
        using var listener = new TcpListener(IPAddress.Parse(listen), 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var received = AnswerOnceAsync(listener);

        // When the pull goes to tcp://<loopback>:<port> without TLS
        var endpoint = EngineEndpoints.Resolve(Environment(("DOCKER_HOST", $"tcp://{host}:{port}")));
        var failure = await new EnginePull(endpoint, "1.41").PullAsync(Image, "r.example", "AWS", Token, TimeSpan.FromSeconds(10), CancellationToken.None);

        // Then the request arrived with its X-Registry-Auth header, and the daemon's answer is the failure
        var request = await received;
        Assert.StartsWith("POST /v1.41/images/create?fromImage=", request);
        Assert.True(request.Contains("X-Registry-Auth: " + EnginePull.AuthHeader("AWS", Token, "r.example"), StringComparison.Ordinal), "the request has no X-Registry-Auth header with the credentials");
        Assert.NotNull(failure);
        Assert.Equal($"the host daemon refused the pull of {Image}: no such daemon", failure.Cause);
    }

    [Fact]
    public void No_client_is_made_for_a_refused_endpoint()
    {
        var endpoint = EngineEndpoints.Resolve(Environment(("DOCKER_HOST", "ssh://me@build-host")));

        Assert.Throws<InvalidOperationException>(() => EngineHttp.Client(endpoint));
    }

    /// <summary>Reads one request head, answers 500 with an Engine API error body, and returns what it read.</summary>
    private static async Task<string> AnswerOnceAsync(TcpListener listener)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var head = new System.Text.StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                break;
            }

            head.Append(System.Text.Encoding.Latin1.GetString(buffer, 0, read));
        }

        const string body = "{\"message\":\"no such daemon\"}";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"));
        return head.ToString();
    }

    private static void AssertNoToken(PullFailure failure)
    {
        var text = failure.Cause + failure.Fix;
        Assert.DoesNotContain(Token.Reveal(), text);
        Assert.DoesNotContain(EnginePull.AuthHeader("AWS", Token, "r.example"), text);
    }

    private Func<string, string?> Environment(params (string Name, string Value)[] variables)
    {
        var values = variables.ToDictionary(v => v.Name, v => v.Value);
        values["HOME"] = _folder;
        return name => values.GetValueOrDefault(name);
    }
}
