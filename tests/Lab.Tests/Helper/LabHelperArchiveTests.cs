using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;

namespace Lab.Helper;

/// <summary>
/// Where the lab finds the helper's source archive, which file it accepts, and that the tests needing it are skipped
/// with the reason (not failed) when it is absent. No Docker: these run with the unit tests.
/// </summary>
public sealed class LabHelperArchiveTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("lab-helper-archive-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void The_archive_is_looked_for_beside_the_repository_unless_LAB_HELPER_ARCHIVE_names_it()
    {
        const string root = "/src/clone";
        string? Unset(string name) => null;
        string? Empty(string name) => string.Empty;
        string? Absolute(string name) => name == LabHelper.ArchiveVariable ? "/archives/helper.tar.gz" : null;
        string? Relative(string name) => name == LabHelper.ArchiveVariable ? "archives/helper.tar.gz" : null;

        Assert.Equal("/src/shared/helper-src/amazon-ecr-credential-helper-0.8.0.tar.gz", LabHelper.Locate(Unset, root));
        Assert.Equal("/src/shared/helper-src/amazon-ecr-credential-helper-0.8.0.tar.gz", LabHelper.Locate(Empty, root));
        Assert.Equal("/archives/helper.tar.gz", LabHelper.Locate(Absolute, root));
        Assert.Equal("/src/clone/archives/helper.tar.gz", LabHelper.Locate(Relative, root));
    }

    [Fact]
    public void A_missing_archive_gives_a_reason_that_says_where_to_get_it_and_where_to_put_it()
    {
        var missing = Path.Combine(_work.FullName, "absent.tar.gz");
        var present = Path.Combine(_work.FullName, "present.tar.gz");
        File.WriteAllText(present, "x");

        var reason = LabHelper.MissingReason(missing);

        Assert.NotNull(reason);
        Assert.Contains(missing, reason);
        Assert.Contains(LabHelper.ArchiveSha256, reason);
        Assert.Contains(LabHelper.DownloadUrl, reason);
        Assert.Contains("shared/helper-src/ beside the repository", reason);
        Assert.Contains(LabHelper.ArchiveVariable, reason);
        Assert.Contains("docs/lab.md", reason);
        Assert.Null(LabHelper.MissingReason(present));
    }

    [Fact]
    public void An_archive_of_other_bytes_is_not_the_pinned_one_and_both_hashes_are_named()
    {
        var other = Path.Combine(_work.FullName, "other.tar.gz");
        using (var gzip = new GZipStream(File.Create(other), CompressionLevel.Optimal))
        {
            gzip.Write(Encoding.ASCII.GetBytes("not the helper's source"));
        }

        var plain = Path.Combine(_work.FullName, "plain.tar.gz");
        File.WriteAllText(plain, "not gzip at all");

        var problem = LabHelper.PinProblem(other);

        Assert.NotNull(problem);
        Assert.Contains(Sha256(other), problem);
        Assert.Contains(LabHelper.ArchiveSha256, problem);
        Assert.Contains(LabHelper.TarSha256, problem);
        Assert.Contains("(not gzip)", LabHelper.PinProblem(plain));
    }

    [HelperArchiveFact]
    public void The_pinned_archive_is_accepted_also_when_another_gzip_compressed_it()
    {
        var recompressed = Path.Combine(_work.FullName, "recompressed.tar.gz");
        using (var source = new GZipStream(File.OpenRead(LabHelper.Archive), CompressionMode.Decompress))
        using (var target = new GZipStream(File.Create(recompressed), CompressionLevel.Fastest))
        {
            source.CopyTo(target);
        }

        Assert.Null(LabHelper.PinProblem(LabHelper.Archive));
        Assert.NotEqual(LabHelper.ArchiveSha256, Sha256(recompressed));
        Assert.Null(LabHelper.PinProblem(recompressed));
    }

    [Fact]
    public async Task Tests_that_need_the_archive_are_skipped_with_the_reason_when_it_is_absent()
    {
        // Given a test run whose LAB_HELPER_ARCHIVE names a file that is not there
        var missing = Path.Combine(_work.FullName, "no-such-archive.tar.gz");
        var results = _work.CreateSubdirectory("results").FullName;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        // When the real helper's tests that need the archive run (the others need the lab's images, which a unit run lacks)
        var needing = typeof(RealHelperTests).GetMethods().Where(m => m.GetCustomAttributes(typeof(HelperArchiveFactAttribute), false).Length > 0).Select(m => m.Name).ToList();
        Assert.True(needing.Count >= 3, "RealHelperTests has fewer archive tests than expected");
        var run = await ChildProcess.RunAsync(
            "dotnet",
            ["test", Path.Combine(AppContext.BaseDirectory, "Lab.Tests.dll"), "--filter", string.Join('|', needing.Select(n => $"FullyQualifiedName=Lab.Helper.RealHelperTests.{n}")),
             "--logger", "trx;LogFileName=skip.trx", "--results-directory", results],
            timeout.Token,
            new Dictionary<string, string> { [LabHelper.ArchiveVariable] = missing });

        // Then they are reported as skipped (the run passes), each with the reason naming the missing path
        Assert.True(run.Succeeded, run.Output + run.Error);
        XNamespace ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
        var tests = XDocument.Load(Path.Combine(results, "skip.trx")).Descendants(ns + "UnitTestResult").ToList();
        Assert.Equal(needing.Count, tests.Count);
        Assert.All(tests, test =>
        {
            Assert.Equal("NotExecuted", (string?)test.Attribute("outcome"));
            Assert.Contains($"which is not at {missing}", test.Descendants(ns + "Message").Single().Value);
        });
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
