using System.Net;
using System.Text;
using System.Xml.Linq;
using Build.Aws;

namespace Build.Fleet;

/// <summary>An answer of a Query-protocol AWS API: the XML document, or AWS's error code and message.</summary>
public sealed record QueryAnswer(int Status, XElement? Document, string? ErrorCode, string? Message)
{
    public bool Succeeded => Document is not null && ErrorCode is null;
}

/// <summary>
/// The Query protocol of Auto Scaling (awsQuery) and EC2 (ec2): a form-encoded POST signed with the build's own
/// <see cref="SigV4Signer"/> (no SDK package serves Auto Scaling here, and one signer serves both), XML back. Errors
/// come as <c>ErrorResponse/Error</c> (awsQuery) or <c>Response/Errors/Error</c> (ec2); both are read.
/// </summary>
/// <param name="handler">The HTTP handler to send with (tests); by default one that trusts <paramref name="bundle"/> or the system's CAs.</param>
public sealed class AwsQueryClient(AwsSigningKey key, CaBundle? bundle, Func<HttpMessageHandler>? handler = null, TimeProvider? time = null)
{
    public async Task<QueryAnswer> CallAsync(string host, string region, string service, string version, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancel)
    {
        var form = string.Join('&', parameters.Prepend(new("Version", version)).Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        var bytes = Encoding.UTF8.GetBytes(form);
        var headers = new Dictionary<string, string>
        {
            ["Host"] = host,
            ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8",
        };
        SigV4Signer.Sign(headers, "POST", "/", bytes, key, region, service, (time ?? TimeProvider.System).GetUtcNow());
        using var client = new HttpClient(handler?.Invoke() ?? bundle?.Handler() ?? new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) }) { Timeout = TimeSpan.FromSeconds(15) };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"https://{host}/") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", headers["Content-Type"]);
        foreach (var (name, value) in headers.Where(h => h.Key is not ("Host" or "Content-Type")))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.UserAgent.ParseAdd("gitlab-runner-ecr");
        using var response = await client.SendAsync(request, cancel);
        var text = await response.Content.ReadAsStringAsync(cancel);
        var document = Parse(text);
        if (response.StatusCode == HttpStatusCode.OK && document is not null)
        {
            return new QueryAnswer(200, document, null, null);
        }

        var error = document?.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
        var code = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value ?? $"HTTP {(int)response.StatusCode}";
        var message = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value ?? (text.Length > 200 ? text[..200] + "…" : text.Trim());
        return new QueryAnswer((int)response.StatusCode, null, code, message);
    }

    private static XElement? Parse(string text)
    {
        try
        {
            return XElement.Parse(text);
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }
}
