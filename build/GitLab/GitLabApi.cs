using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Build.Secrets;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Build.GitLab;

/// <summary>
/// The few GitLab REST calls Register makes (REFERENCE §6), with timeouts and bounded retries with backoff on 5xx, 429
/// (honouring <c>Retry-After</c>) and network errors, never on other 4xx. Tokens travel in bodies and headers only,
/// and every token GitLab hands out is registered with the redactor before anything else happens.
/// </summary>
public sealed partial class GitLabApi : IDisposable
{
    private readonly HttpClient _http;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly Redactor _redactor;

    public GitLabApi(Uri gitLabUrl, Redactor redactor, GitLabApiOptions? options = null)
    {
        options ??= new GitLabApiOptions();
        _redactor = redactor;
        BaseUrl = new Uri(gitLabUrl.ToString().TrimEnd('/') + "/api/v4/");
        var handler = new SocketsHttpHandler { ConnectTimeout = options.AttemptTimeout, UseProxy = true };
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
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.Retries,
                BackoffType = DelayBackoffType.Exponential,
                Delay = options.RetryDelay,
                UseJitter = false,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => (int)r.StatusCode >= 500 || r.StatusCode == HttpStatusCode.TooManyRequests),
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
    }

    /// <summary><c>GITLAB_URL/api/v4/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary><c>POST /runners/verify</c>: the runner, or null when GitLab does not know the token (403).</summary>
    public async Task<RunnerAnswer?> VerifyAsync(Secret token, string? systemId, CancellationToken cancel)
    {
        var body = new JsonObject { ["token"] = token.Reveal() };
        if (systemId is not null)
        {
            body["system_id"] = systemId;
        }

        using var response = await SendAsync(HttpMethod.Post, "runners/verify", body, null, cancel);
        if (response.StatusCode == HttpStatusCode.Forbidden)
        {
            return null;
        }

        return Runner(await ReadJsonAsync(response, "POST /runners/verify", cancel), token);
    }

    /// <summary><c>POST /user/runners</c> with a personal access token: a new project runner.</summary>
    public async Task<RunnerAnswer> CreateProjectRunnerAsync(Secret personalToken, long projectId, RunnerRequest request, CancellationToken cancel)
    {
        var body = new JsonObject
        {
            ["runner_type"] = "project_type",
            ["project_id"] = projectId,
            ["description"] = request.Description,
            ["run_untagged"] = request.RunUntagged,
            ["tag_list"] = string.Join(',', request.Tags),
        };
        using var response = await SendAsync(HttpMethod.Post, "user/runners", body, personalToken, cancel);
        return Runner(await ReadJsonAsync(response, "POST /user/runners", cancel, personal: true), null);
    }

    /// <summary>Legacy <c>POST /runners</c> with a registration token; 410 (registration disabled) is an error with advice.</summary>
    public async Task<RunnerAnswer> RegisterAsync(Secret registrationToken, RunnerRequest request, CancellationToken cancel)
    {
        var body = new JsonObject
        {
            ["token"] = registrationToken.Reveal(),
            ["description"] = request.Description,
            ["run_untagged"] = request.RunUntagged,
            ["tag_list"] = string.Join(',', request.Tags),
        };
        using var response = await SendAsync(HttpMethod.Post, "runners", body, null, cancel);
        return Runner(await ReadJsonAsync(response, "POST /runners", cancel), null);
    }

    /// <summary><c>DELETE /runners</c> by authentication token; false when GitLab refused.</summary>
    public async Task<bool> DeleteAsync(Secret token, CancellationToken cancel)
    {
        using var response = await SendAsync(HttpMethod.Delete, "runners", new JsonObject { ["token"] = token.Reveal() }, null, cancel);
        return response.IsSuccessStatusCode;
    }

    /// <summary><c>GET /projects/:id</c> (a number or a URL-encoded path): the project's numeric id.</summary>
    public async Task<long> ProjectIdAsync(Secret personalToken, string project, CancellationToken cancel)
    {
        using var response = await SendAsync(HttpMethod.Get, "projects/" + Uri.EscapeDataString(project), null, personalToken, cancel);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new GitLabException(
                $"GITLAB_PROJECT = {project}: GitLab at {BaseUrl.GetLeftPart(UriPartial.Authority)} has no such project that GITLAB_TOKEN can see (404)",
                "set GITLAB_PROJECT to the project's id (Settings > General) or its full path (group/project), and use a token of a member with the Maintainer role");
        }

        var json = await ReadJsonAsync(response, "GET /projects/:id", cancel, personal: true);
        return json["id"]?.GetValue<long>() ?? throw Unexpected("GET /projects/:id", "no id");
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, JsonObject? body, Secret? personalToken, CancellationToken cancel)
    {
        var json = body?.ToJsonString();
        try
        {
            return await _pipeline.ExecuteAsync(
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
            throw new GitLabException(
                $"GitLab at {BaseUrl.GetLeftPart(UriPartial.Authority)} cannot be reached ({(ex is TimeoutRejectedException ? "no answer in time" : _redactor.Redact(ex.Message))}{(tls ? ": its TLS certificate is not trusted" : string.Empty)}) for {method} /api/v4/{path.Split('/')[0]}, after retries",
                tls
                    ? "set GITLAB_CA_BUNDLE to a PEM file holding the CA that signed GitLab's certificate (a self-signed or company CA)"
                    : "check GITLAB_URL, that this machine reaches it (DNS, firewall, HTTPS_PROXY/NO_PROXY), and that GitLab is up",
                ex);
        }
    }

    private async Task<JsonNode> ReadJsonAsync(HttpResponseMessage response, string call, CancellationToken cancel, bool personal = false)
    {
        var text = await response.Content.ReadAsStringAsync(cancel);
        var status = (int)response.StatusCode;
        if (response.Content.Headers.ContentType?.MediaType is "text/html" || text.TrimStart().StartsWith('<'))
        {
            throw new GitLabException(
                $"{call} to {BaseUrl.GetLeftPart(UriPartial.Authority)} answered {status} with an HTML page, not GitLab's API (a proxy, captive portal or sign-in page?)",
                "check GITLAB_URL (the GitLab instance's own address, e.g. https://gitlab.example.com) and HTTPS_PROXY/NO_PROXY");
        }

        if (response.IsSuccessStatusCode)
        {
            try
            {
                return JsonNode.Parse(text) ?? throw Unexpected(call, "an empty body");
            }
            catch (JsonException)
            {
                throw Unexpected(call, "a body that is not JSON");
            }
        }

        var message = Message(text);
        throw (status, call) switch
        {
            (401, _) when personal => new GitLabException($"GITLAB_TOKEN was rejected by {call} (401 {message}): expired, revoked or mistyped", "create a personal access token with the create_runner scope (User settings > Access tokens) and set GITLAB_TOKEN in .env.local"),
            (403, "GET /projects/:id") => new GitLabException($"GITLAB_TOKEN may not read GITLAB_PROJECT ({call}: 403 {message})", "give GITLAB_PROJECT as the project's number (Settings > General), which needs no look-up, or add the read_api scope to the token"),
            (403, _) when personal && message.Contains("scope", StringComparison.OrdinalIgnoreCase) => new GitLabException($"GITLAB_TOKEN has no create_runner scope ({call}: 403 {message})", "create a personal access token with the create_runner scope (and read_api when GITLAB_PROJECT is a path) and set GITLAB_TOKEN"),
            (403, _) when personal => new GitLabException($"GITLAB_TOKEN may not create a runner for this project ({call}: 403 {message})", "use a token of a user with the Maintainer or Owner role in GITLAB_PROJECT"),
            (403, "POST /runners") => new GitLabException($"GitLab rejected GITLAB_REGISTRATION_TOKEN (403 {message})", "copy the registration token again, or better create a runner in GitLab (Settings > CI/CD > Runners > New project runner) and set its glrt- token as GITLAB_RUNNER_TOKEN"),
            (410, "POST /runners") => new GitLabException($"GitLab has runner registration tokens disabled (410 {message}); they are off by default since GitLab 17.0 and removed in 20.0", "create the runner in GitLab (Settings > CI/CD > Runners > New project runner) and set its glrt- token as GITLAB_RUNNER_TOKEN, or set GITLAB_TOKEN (create_runner scope) and GITLAB_PROJECT and Register creates it"),
            _ => new GitLabException($"{call} answered {status} {message}", "check the message above; GITLAB_URL must be the GitLab instance's address"),
        };
    }

    private RunnerAnswer Runner(JsonNode json, Secret? known)
    {
        var tokenText = json["token"]?.GetValue<string>();
        var token = known ?? (tokenText is { Length: > 0 } ? new Secret(tokenText) : throw Unexpected("the runner answer", "no token"));
        _redactor.Add(token, "the runner's authentication token");
        var expires = json["token_expires_at"]?.GetValue<string>() is { } at && DateTimeOffset.TryParse(at, out var parsed) ? parsed : (DateTimeOffset?)null;
        return new RunnerAnswer(json["id"]?.GetValue<long>() ?? 0, token, expires);
    }

    private static string Message(string text)
    {
        try
        {
            var json = JsonNode.Parse(text);
            var message = json?["message"] ?? json?["error"];
            return message is null ? string.Empty : message.ToJsonString().Trim('"');
        }
        catch (JsonException)
        {
            return text.Length > 200 ? text[..200] : text;
        }
    }

    private GitLabException Unexpected(string call, string what) =>
        new($"{call} from {BaseUrl.GetLeftPart(UriPartial.Authority)} came back with {what}", "check that GITLAB_URL is a GitLab instance (its /api/v4 answers JSON)");

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

/// <summary>Timeouts, retries and trust of <see cref="GitLabApi"/>; tests shorten the delays.</summary>
public sealed record GitLabApiOptions
{
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public int Retries { get; init; } = 3;

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest Retry-After honoured; a longer one is cut to this.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>PEM file of extra trusted CAs (GITLAB_CA_BUNDLE).</summary>
    public string? CaBundle { get; init; }

    public Action<string>? Log { get; init; }
}
