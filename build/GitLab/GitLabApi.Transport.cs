using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Build.Secrets;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Build.GitLab;

/// <summary>
/// How every call travels: a timeout per attempt; bounded retries with backoff on 5xx, 429 (honouring Retry-After, up
/// to a cap) and network errors for calls that create nothing, never on other 4xx. A call that creates (a runner, a
/// project, a commit, a pipeline) is retried only when GitLab cannot have acted: 429, or no connection at all; see
/// <see cref="CreateOnceAsync{T}"/> for the rest. Redirects are answers, not followed: the token stays with GITLAB_URL.
/// </summary>
public sealed partial class GitLabApi
{
    private readonly HttpClient _http;
    private readonly ResiliencePipeline<HttpResponseMessage> _reading;
    private readonly ResiliencePipeline<HttpResponseMessage> _creating;
    private readonly Redactor _redactor;
    private readonly GitLabApiOptions _options;

    public GitLabApi(Uri gitLabUrl, Redactor redactor, GitLabApiOptions? options = null)
    {
        _options = options ??= new GitLabApiOptions();
        _redactor = redactor;
        BaseUrl = new Uri(gitLabUrl.ToString().TrimEnd('/') + "/api/v4/");
        // HttpClient drops Authorization on a redirect but keeps PRIVATE-TOKEN (and a 307 resends the body's token).
        var handler = new SocketsHttpHandler { ConnectTimeout = options.AttemptTimeout, UseProxy = true, AllowAutoRedirect = false };
        if (options.CaBundle is { } bundle)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(bundle);
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) => errors == SslPolicyErrors.None || TrustedBy(roots, certificate, errors),
            };
        }

        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("gitlab-runner-ecr-register");
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _reading = Retrying(options, new PredicateBuilder<HttpResponseMessage>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .HandleResult(r => (int)r.StatusCode >= 500 || r.StatusCode == HttpStatusCode.TooManyRequests));
        _creating = Retrying(options, new PredicateBuilder<HttpResponseMessage>()
            .Handle<HttpRequestException>(NotSent)
            .HandleResult(r => r.StatusCode == HttpStatusCode.TooManyRequests));
    }

    /// <summary><c>GITLAB_URL/api/v4/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>GitLab's scheme, host and port, for messages.</summary>
    private string Origin => BaseUrl.GetLeftPart(UriPartial.Authority);

    /// <param name="creates">The call makes something in GitLab: not repeated when GitLab may have acted on it.</param>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, JsonObject? body, Secret? personalToken, CancellationToken cancel, bool creates = false)
    {
        var json = body?.ToJsonString();
        HttpResponseMessage response;
        try
        {
            response = await (creates ? _creating : _reading).ExecuteAsync(
                async ct =>
                {
                    using var request = new HttpRequestMessage(method, new Uri(BaseUrl, path));
                    if (json is not null)
                    {
                        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
                    }

                    if (personalToken is not null)
                    {
                        request.Headers.Add("PRIVATE-TOKEN", personalToken.Reveal());
                    }

                    return await _http.SendAsync(request, ct);
                },
                cancel);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException && !cancel.IsCancellationRequested)
        {
            var tls = ex.InnerException is System.Security.Authentication.AuthenticationException;
            var sent = !(ex is HttpRequestException h && NotSent(h));
            var why = ex is TimeoutRejectedException ? "no answer in time" : _redactor.Redact(ex.InnerException is { } inner && !tls ? inner.Message : ex.Message);
            throw Fail(
                $"GitLab at {Origin} cannot be reached ({why}{(tls ? ": its TLS certificate is not trusted" : string.Empty)}) for {method} /api/v4/{path.Split('?')[0]}{(creates && sent ? " (not tried again: the request went out)" : ", after retries")}",
                tls
                    ? "set GITLAB_CA_BUNDLE to a PEM file holding the CA that signed GitLab's certificate (a self-signed or company CA)"
                    : "check GITLAB_URL, that this machine reaches it (DNS, firewall, HTTPS_PROXY/NO_PROXY), and that GitLab is up",
                ambiguous: sent,
                inner: ex);
        }

        if ((int)response.StatusCode is >= 300 and < 400)
        {
            using (response)
            {
                throw Redirected(method, path, response);
            }
        }

        return response;
    }

    private static ResiliencePipeline<HttpResponseMessage> Retrying(GitLabApiOptions options, PredicateBuilder<HttpResponseMessage> shouldHandle) =>
        new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.Retries,
                BackoffType = DelayBackoffType.Exponential,
                Delay = options.RetryDelay,
                UseJitter = false,
                ShouldHandle = shouldHandle,
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, options.MaxRetryAfter)),
                OnRetry = args =>
                {
                    options.Log?.Invoke($"GitLab answered {Describe(args.Outcome)}; retrying in {args.RetryDelay.TotalSeconds:0.#} s (attempt {args.AttemptNumber + 2} of {options.Retries + 1})");
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();

    /// <summary>A 3xx: named with where it points (user info and query hidden) and what GITLAB_URL would be there.</summary>
    private GitLabException Redirected(HttpMethod method, string path, HttpResponseMessage response)
    {
        var call = $"{method} /api/v4/{path.Split('?')[0]}";
        var status = (int)response.StatusCode;
        if (response.Headers.Location is not { } location)
        {
            return Fail($"{call} to {Origin} answered {status} (a redirect) without a Location", "set GITLAB_URL to the GitLab instance's own address, the one that answers without redirecting");
        }

        var target = location.IsAbsoluteUri ? location : new Uri(new Uri(BaseUrl, path), location);
        var shown = $"{target.Scheme}://{(target.UserInfo.Length > 0 ? "***@" : string.Empty)}{target.Authority}{target.AbsolutePath}{(target.Query.Length > 1 ? "?…" : string.Empty)}";
        var suffix = "/api/v4/" + path.Split('?')[0];
        var url = $"{target.Scheme}://{target.Authority}{(target.AbsolutePath.EndsWith(suffix, StringComparison.Ordinal) ? target.AbsolutePath[..^suffix.Length] : string.Empty)}";
        return Fail(
            $"{call} to {Origin} answered {status}, a redirect to {_redactor.Redact(shown)}; API calls do not follow redirects, so no token was sent there",
            $"if {_redactor.Redact(url)} is your GitLab, set GITLAB_URL to {_redactor.Redact(url)} (e.g. the https:// address an http:// one redirects to)");
    }

    /// <summary>No connection was made (name, connect or TLS handshake failed): the request never left, so it can be sent again.</summary>
    private static bool NotSent(HttpRequestException ex) =>
        ex.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError;

    private static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeSpan maximum)
    {
        var header = response?.Headers.RetryAfter;
        var delay = header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return delay is { } d ? TimeSpan.FromTicks(Math.Clamp(d.Ticks, 0, maximum.Ticks)) : null;
    }

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result is { } r ? $"{(int)r.StatusCode} {r.ReasonPhrase}" : outcome.Exception?.GetType().Name ?? "nothing";

    private static bool TrustedBy(X509Certificate2Collection roots, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(certificate));
    }
}
