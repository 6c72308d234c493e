using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Lab.Fixtures.Aws;

/// <summary>
/// In-process HTTPS emulator of the Amazon ECR (<c>GetAuthorizationToken</c>, <c>DescribePullThroughCacheRules</c>),
/// ECR Public (<c>GetAuthorizationToken</c>), STS (<c>GetCallerIdentity</c>), Auto Scaling
/// (<c>DescribeAutoScalingGroups</c>) and EC2 (<c>DescribeLaunchTemplateVersions</c>, <c>DescribeInstances</c>) APIs,
/// with full SigV4 verification and AWS's error shapes. All services answer on the same endpoints.
/// </summary>
public sealed partial class AwsEmulator : IAsyncDisposable
{
    private readonly AwsEmulatorOptions _options;
    private readonly ConcurrentDictionary<string, AwsKey> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string AccountId, string Region), string> _passwords = new();
    private readonly ConcurrentDictionary<(string AccountId, string Region, string Prefix), PullThroughCacheRule> _rules = new();
    private readonly List<ListenOptions> _listeners = [];
    private long _tokenLifetimeTicks;
    private WebApplication? _app;

    public AwsEmulator(AwsEmulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.ServerCertificate.HasPrivateKey)
            throw new ArgumentException("The server certificate has no private key; issue it with TestCertificateAuthority.", nameof(options));
        if (options.Endpoints.Count == 0) throw new ArgumentException("At least one listen endpoint is needed.", nameof(options));
        _options = options;
        TokenLifetime = options.TokenLifetime;
        foreach (var key in options.Keys) SetKey(key);
        foreach (var registry in options.Registries) SetRegistry(registry);
        foreach (var rule in options.PullThroughCacheRules) SetRule(rule);
        PublicPassword = options.PublicPassword;
    }

    /// <summary>The password ECR Public's tokens carry; null: ECR Public refuses every call.</summary>
    public string? PublicPassword { get; set; }

    /// <summary>Adds or replaces a pull-through cache rule (by registry and prefix).</summary>
    public void SetRule(PullThroughCacheRule rule) => _rules[(rule.AccountId, rule.Region, rule.Prefix)] = rule;

    public bool RemoveRule(string accountId, string region, string prefix) => _rules.TryRemove((accountId, region, prefix), out _);

    /// <summary>The Auto Scaling groups, launch templates and instances that Auto Scaling and EC2 describe.</summary>
    public FleetWorld Fleet { get; } = new();

    /// <summary>Every request answered so far.</summary>
    public AwsRequestLog Requests { get; } = new();

    /// <summary>The endpoints actually bound (ephemeral ports resolved), in the order of <see cref="AwsEmulatorOptions.Endpoints"/>.</summary>
    public IReadOnlyList<IPEndPoint> BoundEndpoints => _app is null
        ? throw new InvalidOperationException("The emulator is not started.")
        : [.. _listeners.Select(l => l.IPEndPoint!)];

    /// <summary><c>https://&lt;first bound endpoint&gt;/</c>, e.g. for an SDK's ServiceURL.</summary>
    public Uri BaseAddress => new($"https://{BoundEndpoints[0]}/");

    /// <summary>Lifetime of tokens issued from now on.</summary>
    public TimeSpan TokenLifetime
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _tokenLifetimeTicks));
        set => Interlocked.Exchange(ref _tokenLifetimeTicks, value > TimeSpan.Zero ? value.Ticks
            : throw new ArgumentOutOfRangeException(nameof(value), value, "The token lifetime must be positive."));
    }

    /// <summary>Adds or replaces a key (by access key id).</summary>
    public void SetKey(AwsKey key)
    {
        if (!AccountId().IsMatch(key.AccountId)) throw new ArgumentException($"Account id '{key.AccountId}' of {key} is not 12 digits.", nameof(key));
        _keys[key.AccessKeyId] = key;
    }

    public bool RemoveKey(string accessKeyId) => _keys.TryRemove(accessKeyId, out _);

    /// <summary>Adds a registry or changes its password (tokens issued later carry the new one).</summary>
    public void SetRegistry(EcrRegistry registry)
    {
        if (!AccountId().IsMatch(registry.AccountId)) throw new ArgumentException($"Account id of {registry} is not 12 digits.", nameof(registry));
        _passwords[(registry.AccountId, registry.Region)] = registry.Password;
    }

    public bool RemoveRegistry(string accountId, string region) => _passwords.TryRemove((accountId, region), out _);

    /// <summary>Creates and starts an emulator.</summary>
    public static async Task<AwsEmulator> StartNewAsync(AwsEmulatorOptions options, CancellationToken cancellationToken = default)
    {
        var emulator = new AwsEmulator(options);
        await emulator.StartAsync(cancellationToken);
        return emulator;
    }

    /// <summary>Binds every endpoint and starts answering; returns when it listens.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_app is not null) throw new InvalidOperationException("The emulator is already started.");
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "Lab.AwsEmulator" });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            foreach (var endpoint in _options.Endpoints)
                kestrel.Listen(endpoint, listen =>
                {
                    listen.UseHttps(_options.ServerCertificate);
                    _listeners.Add(listen);
                });
        });
        var app = builder.Build();
        var handler = new AwsEmulatorHandler(
            new EcrService(PasswordOf, () => TokenLifetime, () => [.. _rules.Values]), new EcrPublicService(() => PublicPassword, () => TokenLifetime),
            new StsService(), KeyOf, Requests, _options.TimeProvider, new AutoScalingService(Fleet), new Ec2Service(Fleet));
        app.Run(handler.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            _listeners.Clear();
            await app.DisposeAsync();
            if (ex is not (IOException or SocketException)) throw;
            throw new InvalidOperationException(
                $"The AWS emulator could not listen on {string.Join(", ", _options.Endpoints)}: {ex.Message} "
                + "Ports below 1024 need root or CAP_NET_BIND_SERVICE, and the address must belong to this host "
                + "(e.g. the docker bridge gateway).", ex);
        }
        _app = app;
    }

    /// <summary>Stops listening (waits up to 5 s for requests in flight). The request log stays readable.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_app is not { } app) return;
        _app = null;
        try
        {
            await app.StopAsync(cancellationToken);
        }
        finally
        {
            await app.DisposeAsync();
            _listeners.Clear();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    public override string ToString() =>
        $"AwsEmulator {{ {(_app is null ? "stopped" : string.Join(", ", BoundEndpoints))}, keys = {_keys.Count}, registries = {_passwords.Count} }}";

    private AwsKey? KeyOf(string accessKeyId) => _keys.GetValueOrDefault(accessKeyId);

    private string? PasswordOf(string accountId, string region) => _passwords.GetValueOrDefault((accountId, region));

    [GeneratedRegex(@"^[0-9]{12}$")]
    private static partial Regex AccountId();
}
