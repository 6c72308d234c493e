using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Build.Secrets;

/// <summary>
/// The spellings of a secret this program (or a tool it runs) can write: as is, JSON-escaped
/// (System.Text.Json writes <c>+</c> as <c>\u002B</c>), URL-encoded, and inside base64 (a basic-auth
/// header or a docker config's <c>auth</c>, where the secret follows <c>user:</c> at any byte offset).
/// </summary>
public static class SecretForms
{
    /// <summary>Shorter runs would mask ordinary text; real keys and tokens are far longer.</summary>
    public const int MinimumLength = 6;

    public static IEnumerable<string> Of(string value)
    {
        var forms = new HashSet<string>(StringComparer.Ordinal)
        {
            value,
            JsonEncodedText.Encode(value).ToString(),
            JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString(),
            JsonEncodedText.Encode(value).ToString().Replace("/", "\\/", StringComparison.Ordinal),
            Uri.EscapeDataString(value),
            WebUtility.UrlEncode(value),
        };
        forms.UnionWith(Base64Cores(value));
        return forms.Where(f => f.Length >= MinimumLength);
    }

    /// <summary>
    /// For each of the three byte offsets the secret can start at inside a base64 text, the run of base64
    /// characters that depends only on the secret's bytes (standard and URL-safe alphabets).
    /// </summary>
    private static IEnumerable<string> Base64Cores(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        for (var offset = 0; offset < 3; offset++)
        {
            var padded = new byte[offset + bytes.Length];
            bytes.CopyTo(padded, offset);
            var encoded = Convert.ToBase64String(padded).TrimEnd('=');
            // A leading group mixes in the bytes before the secret; a trailing partial group, those after it.
            var start = offset == 0 ? 0 : 4;
            var end = padded.Length % 3 == 0 ? encoded.Length : encoded.Length - (encoded.Length % 4 == 0 ? 4 : encoded.Length % 4);
            if (end - start < 8)
            {
                continue;
            }

            var core = encoded[start..end];
            yield return core;
            yield return core.Replace('+', '-').Replace('/', '_');
        }
    }
}
