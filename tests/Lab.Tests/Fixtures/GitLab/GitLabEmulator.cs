using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Lab.Fixtures.GitLab;

/// <summary>
/// In-process emulator of the GitLab REST API calls a runner set-up makes: runner creation with a
/// personal access token, verification, the legacy registration (with the 410 of GitLab ≥ 17.0 as an option),
/// deletion, and project look-up; with injected faults (status, Retry-After, HTML pages, delays, redirects, creating
/// calls failing before or after the object is made) and a record of every call and request. Plain HTTP on loopback
/// (or HTTPS with a lab certificate); SmokeTest and Clean can add pipeline endpoints.
/// </summary>
public sealed partial class GitLabEmulator : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, PersonalToken> _personalTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, EmulatedProject> _projects = new();
    private readonly ConcurrentDictionary<string, EmulatedRunner> _runners = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<GitLabFault> _faults = new();
    private readonly List<(string Method, string Path, CreationFault Fault)> _creationFaults = [];
    private long _nextId = 100;
    private ListenOptions? _listener;
    private WebApplication? _app;

    public GitLabEmulator(GitLabEmulatorOptions? options = null) => Options = options ?? new GitLabEmulatorOptions();

    public GitLabEmulatorOptions Options { get; }

    /// <summary>Exceptions the emulator's own code threw while answering (each answered as a 500 naming it).</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    /// <summary>Every call answered so far, in order.</summary>
    public GitLabCallLog Calls { get; } = new();

    /// <summary>Every request as it arrived: request line, all headers, body.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The instance's URL, e.g. <c>http://127.0.0.1:41234</c>, for GITLAB_URL.</summary>
    public Uri Url => new($"{(Options.Certificate is null ? "http" : "https")}://{_listener?.IPEndPoint ?? throw new InvalidOperationException("not started")}");

    /// <summary>
    /// The base of the <c>web_url</c>s it answers: <see cref="Url"/>, or on a Unix socket (behind the lab's stand-in GitLab,
    /// whose external URL names the compose service) <c>http://gitlab/</c>.
    /// </summary>
    public string WebUrl => Options.UnixSocket is null ? Url.ToString() : "http://gitlab/";

    /// <summary>The legacy registration token (<c>GR1348941…</c>).</summary>
    public string RegistrationToken { get; } = "GR1348941" + Random(20);

    /// <summary>Whether <c>POST /runners</c> with the registration token is allowed (off by default since GitLab 17.0).</summary>
    public bool RegistrationEnabled { get; set; } = true;

    /// <summary>A delay before every answer.</summary>
    public TimeSpan Delay { get; set; }

    public IReadOnlyCollection<EmulatedRunner> Runners => [.. _runners.Values.OrderBy(r => r.Id)];

    public static async Task<GitLabEmulator> StartNewAsync(GitLabEmulatorOptions? options = null, CancellationToken cancel = default)
    {
        var emulator = new GitLabEmulator(options);
        await emulator.StartAsync(cancel);
        return emulator;
    }

    public async Task StartAsync(CancellationToken cancel = default)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "Lab.GitLabEmulator" });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (Options.UnixSocket is { } socket)
            {
                kestrel.ListenUnixSocket(socket);
                return;
            }

            kestrel.Listen(Options.Endpoint, listen =>
            {
                if (Options.Certificate is { } certificate)
                {
                    listen.UseHttps(certificate);
                }

                _listener = listen;
            });
        });
        var app = builder.Build();
        var handler = new GitLabEmulatorHandler(this);
        app.Run(async http =>
        {
            try
            {
                await handler.HandleAsync(http);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && !http.Response.HasStarted)
            {
                // A bug in the emulator shows as a 500 whose message names it, and in Errors, not as a bare 500.
                Errors.Enqueue(ex.ToString());
                http.Response.StatusCode = 500;
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync(new JsonObject { ["message"] = $"500 emulator error: {ex.GetType().Name}: {ex.Message}" }.ToJsonString());
            }
        });
        await app.StartAsync(cancel);
        _app = app;
    }

    /// <summary>A personal access token with these scopes (e.g. <c>api</c>, <c>create_runner</c>).</summary>
    public string AddPersonalToken(params string[] scopes)
    {
        var token = "glpat-" + Random(20);
        _personalTokens[token] = new PersonalToken(token, scopes);
        return token;
    }

    public EmulatedProject AddProject(string pathWithNamespace)
    {
        var project = new EmulatedProject(NextId(), pathWithNamespace);
        _projects[project.Id] = project;
        return project;
    }

    /// <summary>A runner created in the UI: its <c>glrt-</c> token, as a user would copy it.</summary>
    public EmulatedRunner AddRunner(string description = "created in the UI", long? projectId = null) =>
        Add(new EmulatedRunner(NextId(), "glrt-" + Random(20), description, projectId, [], true, Legacy: false));

    /// <summary>The next <paramref name="count"/> calls (any endpoint) get this fault instead of their answer (a 3xx with <paramref name="location"/>).</summary>
    public void Fail(int count, HttpStatusCode status, TimeSpan? retryAfter = null, string? html = null, Uri? location = null)
    {
        for (var i = 0; i < count; i++)
        {
            _faults.Enqueue(new GitLabFault(status, retryAfter, html, location));
        }
    }

    /// <summary>The next call of <paramref name="method"/> <paramref name="path"/> (exact, no query) fails this way, once per <paramref name="count"/>.</summary>
    public void FailCreation(string method, string path, CreationFault fault, int count = 1)
    {
        lock (_creationFaults)
        {
            _creationFaults.AddRange(Enumerable.Repeat((method, path, fault), count));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    internal bool TryTakeFault(out GitLabFault fault) => _faults.TryDequeue(out fault!);

    internal bool TryTakeCreationFault(string method, string path, out CreationFault fault)
    {
        lock (_creationFaults)
        {
            var index = _creationFaults.FindIndex(f => f.Method == method && f.Path == path);
            fault = index < 0 ? default : _creationFaults[index].Fault;
            if (index >= 0)
            {
                _creationFaults.RemoveAt(index);
            }

            return index >= 0;
        }
    }

    internal PersonalToken? PersonalTokenOf(string? token) => token is not null && _personalTokens.TryGetValue(token, out var found) ? found : RootTokenOf(token);

    internal EmulatedProject? Project(string idOrPath) =>
        long.TryParse(idOrPath, out var id) ? _projects.GetValueOrDefault(id) : _projects.Values.FirstOrDefault(p => p.PathWithNamespace == idOrPath);

    internal EmulatedRunner? Runner(string? token) => token is not null && _runners.TryGetValue(token, out var runner) ? runner : null;

    internal bool RemoveRunner(string token) => _runners.TryRemove(token, out _);

    internal EmulatedRunner Add(EmulatedRunner runner)
    {
        _runners[runner.Token] = runner;
        return runner;
    }

    internal long NextId() => Interlocked.Increment(ref _nextId);

    internal static string Random(int length) =>
        new(RandomNumberGenerator.GetItems<char>("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", length));
}

public sealed record GitLabEmulatorOptions
{
    /// <summary>Where to listen; loopback with an ephemeral port by default.</summary>
    public IPEndPoint Endpoint { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>A Unix socket to listen on instead (the server-mode stand-in forwards its port to it).</summary>
    public string? UnixSocket { get; init; }

    /// <summary>A server certificate (from the lab CA) for HTTPS; plain HTTP when null.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; init; }
}

public sealed record PersonalToken(string Token, IReadOnlyList<string> Scopes);

public sealed record EmulatedProject(long Id, string PathWithNamespace);

/// <summary>A runner GitLab knows, with the system ids (runner managers) that verified it.</summary>
public sealed record EmulatedRunner(long Id, string Token, string Description, long? ProjectId, IReadOnlyList<string> Tags, bool RunUntagged, bool Legacy)
{
    public ConcurrentBag<string> SystemIds { get; } = [];

    public override string ToString() => $"EmulatedRunner {{ Id = {Id}, Description = {Description}, Project = {ProjectId} }}";
}

public readonly record struct GitLabFault(HttpStatusCode Status, TimeSpan? RetryAfter, string? Html, Uri? Location = null);

/// <summary>How a creating call fails: a 500 before anything is made; or the object made and then a 500, or the connection dropped.</summary>
public enum CreationFault
{
    ErrorBefore,
    ErrorAfter,
    DropAfter,
}

/// <summary>One call: method, path (no query), the answer's status, and whether it carried a personal token (never its value).</summary>
public sealed record GitLabCall(string Method, string Path, int Status, bool PrivateToken, DateTimeOffset At);

public sealed class GitLabCallLog
{
    private readonly ConcurrentQueue<GitLabCall> _calls = new();

    public IReadOnlyList<GitLabCall> Snapshot() => [.. _calls];

    public int Count(string method, string path) => _calls.Count(c => c.Method == method && c.Path == path);

    internal void Add(GitLabCall call) => _calls.Enqueue(call);

    public override string ToString() => string.Join("; ", _calls.Select(c => $"{c.Method} {c.Path} {c.Status}"));
}
