using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Lab.Fixtures.Fleet;

/// <summary>
/// What a lab worker reaches over plain HTTP on the lab network's gateway, never 169.254.169.254: an IMDSv2 stand-in
/// (a token from <c>PUT /latest/api/token</c>, required by every other call; the role's name and its temporary
/// credentials under <c>/latest/meta-data/iam/security-credentials/</c>) and the helper binary under
/// <c>/helpers/&lt;version&gt;/linux-amd64/</c>, where the user-data downloads it.
/// </summary>
public sealed class ImdsStandIn : IAsyncDisposable
{
    public const string Role = "ci-workers";
    private readonly string _token = "imds-" + Guid.NewGuid().ToString("N");
    private readonly Lab.Fixtures.Aws.AwsKey _key;
    private readonly string _helper;
    private readonly string _version;
    private WebApplication? _app;
    private ListenOptions? _listener;

    private ImdsStandIn(Lab.Fixtures.Aws.AwsKey key, string helper, string version)
    {
        _key = key;
        _helper = helper;
        _version = version;
    }

    /// <summary>Every request, as "METHOD path token-state".</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public Uri BaseAddress => new($"http://{_listener!.IPEndPoint}/");

    public static async Task<ImdsStandIn> StartAsync(IPAddress address, Lab.Fixtures.Aws.AwsKey key, string helper, string version, CancellationToken cancel)
    {
        var standIn = new ImdsStandIn(key, helper, version);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "Lab.ImdsStandIn" });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(address, 0, listen => standIn._listener = listen);
        });
        var app = builder.Build();
        app.Run(standIn.HandleAsync);
        await app.StartAsync(cancel);
        standIn._app = app;
        return standIn;
    }

    private async Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? string.Empty;
        var tokenOk = http.Request.Headers["X-aws-ec2-metadata-token"] == _token;
        Requests.Enqueue($"{http.Request.Method} {path} {(tokenOk ? "token" : "no-token")}");
        if (path == $"/helpers/{_version}/linux-amd64/docker-credential-ecr-login" && http.Request.Method == "GET")
        {
            http.Response.ContentType = "application/octet-stream";
            await http.Response.SendFileAsync(_helper);
            return;
        }

        if (path == "/latest/api/token" && http.Request.Method == "PUT")
        {
            // IMDSv2: a token only for a PUT that says how long it should live.
            http.Response.StatusCode = http.Request.Headers.ContainsKey("X-aws-ec2-metadata-token-ttl-seconds") ? 200 : 400;
            // As IMDS does: the token's lifetime echoed back (SDKs read it to know when to ask again).
            http.Response.Headers["X-aws-ec2-metadata-token-ttl-seconds"] = http.Request.Headers["X-aws-ec2-metadata-token-ttl-seconds"];
            await http.Response.WriteAsync(http.Response.StatusCode == 200 ? _token : string.Empty);
            return;
        }

        if (!tokenOk)
        {
            http.Response.StatusCode = 401;
            return;
        }

        const string prefix = "/latest/meta-data/iam/security-credentials";
        if (path is prefix or prefix + "/")
        {
            await http.Response.WriteAsync(Role);
        }
        else if (path == $"{prefix}/{Role}")
        {
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(new JsonObject
            {
                ["Code"] = "Success",
                ["LastUpdated"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
                ["Type"] = "AWS-HMAC",
                ["AccessKeyId"] = _key.AccessKeyId,
                ["SecretAccessKey"] = _key.SecretAccessKey,
                ["Token"] = _key.SessionToken,
                ["Expiration"] = DateTimeOffset.UtcNow.AddHours(6).ToString("yyyy-MM-ddTHH:mm:ssZ"),
            }.ToJsonString());
        }
        else
        {
            http.Response.StatusCode = 404;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
