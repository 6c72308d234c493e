using System.Net;
using System.Security.Cryptography;

namespace Build.Helper;

/// <summary>
/// The download source: <c>&lt;base&gt;/&lt;version&gt;/linux-&lt;arch&gt;/docker-credential-ecr-login</c> and its
/// <c>.sha256</c>. A binary whose hash does not match is deleted and refused.
/// </summary>
public sealed class HelperDownload(Uri baseUrl, string version, TimeSpan timeout)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    public Uri UrlFor(HelperPlatform platform) => new($"{baseUrl.ToString().TrimEnd('/')}/{version}/{platform.Folder}/{HelperOutput.BinaryName}");

    public async Task ProduceAsync(string staging, IEnumerable<HelperPlatform> platforms, CancellationToken cancellation)
    {
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        foreach (var platform in platforms)
        {
            var url = UrlFor(platform);
            var expected = ParseSha256(await GetAsync(http, new Uri(url + ".sha256"), null, cancellation), url);
            var target = Path.Combine(staging, platform.Folder, HelperOutput.BinaryName);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var actual = await GetAsync(http, url, target, cancellation);
            if (actual != expected)
            {
                File.Delete(target);
                throw new BuildFailure(
                    $"{url} does not match its .sha256 (expected {expected}, got {actual}); the download was deleted",
                    "check HELPER_DOWNLOAD_URL (a mirror must serve the release files unchanged) and HELPER_VERSION, then run again");
            }
        }
    }

    /// <summary>GETs <paramref name="url"/>: to <paramref name="target"/> when given (returning its SHA-256), otherwise as text.</summary>
    private async Task<string> GetAsync(HttpClient http, Uri url, string? target, CancellationToken cancellation)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timer.CancelAfter(timeout);
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timer.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new BuildFailure(
                    $"{url} answered {(int)response.StatusCode} {response.ReasonPhrase}",
                    response.StatusCode == HttpStatusCode.NotFound
                        ? $"check HELPER_VERSION ({version}: is it released?) and HELPER_DOWNLOAD_URL (release files are at <base>/<version>/linux-<arch>/)"
                        : "check HELPER_DOWNLOAD_URL and that this machine may reach it");
            }

            if (target is null)
            {
                return await response.Content.ReadAsStringAsync(timer.Token);
            }

            await using (var file = File.Create(target))
            {
                await response.Content.CopyToAsync(file, timer.Token);
            }

            await using var written = File.OpenRead(target);
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(written, cancellation));
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new BuildFailure($"no complete answer from {url} within {timeout.TotalSeconds:0.#} s", "check the network (or the proxy) to HELPER_DOWNLOAD_URL, or use HELPER_SOURCE=build or archive");
        }
        catch (HttpRequestException ex)
        {
            throw new BuildFailure($"could not reach {url}: {ex.Message}", "check HELPER_DOWNLOAD_URL and the network, or use HELPER_SOURCE=build or archive", ex);
        }
    }

    private static string ParseSha256(string text, Uri url)
    {
        var hash = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.ToLowerInvariant();
        return hash is { Length: 64 } && hash.All(char.IsAsciiHexDigit)
            ? hash
            : throw new BuildFailure($"{url}.sha256 holds no SHA-256", "check HELPER_DOWNLOAD_URL: it must serve the release's .sha256 files");
    }
}
