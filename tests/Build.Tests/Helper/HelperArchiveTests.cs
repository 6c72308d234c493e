using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Build.Helper;

namespace Build.Tests.Helper;

/// <summary>The archive source's checks of a release source archive, on small archives made in the test.</summary>
public sealed class HelperArchiveTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("helper-archive-");

    public void Dispose() => _dir.Delete(recursive: true);

    /// <summary>A .tar.gz with these files (path → text) under <paramref name="prefix"/>/, as git archive lays it out.</summary>
    private string Archive(string prefix, params (string Path, string Text)[] files)
    {
        var path = Path.Combine(_dir.FullName, prefix + ".tar.gz");
        using var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
        tar.WriteEntry(new PaxGlobalExtendedAttributesTarEntry(new Dictionary<string, string> { ["comment"] = "388a708931c25b953eb88e6a40f4ef67cd0278fe" }));
        foreach (var (name, text) in files)
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"{prefix}/{name}") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
        }

        return path;
    }

    private static readonly (string, string)[] Vendored = [("ecr-login/go.mod", "module github.com/awslabs/amazon-ecr-credential-helper/ecr-login\n"), ("ecr-login/vendor/modules.txt", "# vendored\n")];

    [Fact]
    public void An_archive_of_the_asked_version_with_vendored_modules_passes()
    {
        var archive = Archive("amazon-ecr-credential-helper-0.8.0", [("VERSION", "0.8.0\n"), .. Vendored]);

        HelperArchive.Check(archive, "0.8.0");
    }

    [Fact]
    public void The_version_comes_from_the_folder_name_when_there_is_no_VERSION_file()
    {
        var archive = Archive("amazon-ecr-credential-helper-0.9.1", Vendored);

        var error = Assert.Throws<BuildFailure>(() => HelperArchive.Check(archive, "0.8.0"));

        Assert.Contains("holds version 0.9.1, but HELPER_VERSION is 0.8.0", error.Message);
        Assert.Contains("set HELPER_VERSION=0.9.1", error.Message);
    }

    [Fact]
    public void An_archive_without_vendored_modules_is_refused()
    {
        var archive = Archive("amazon-ecr-credential-helper-0.8.0", ("VERSION", "0.8.0"), ("ecr-login/go.mod", "module x\n"));

        var error = Assert.Throws<BuildFailure>(() => HelperArchive.Check(archive, "0.8.0"));

        Assert.Contains("no VERSION file or ecr-login/vendor/", error.Message);
        Assert.Contains("HELPER_ARCHIVE", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_tar_gz_or_not_there_is_refused_naming_HELPER_ARCHIVE()
    {
        var text = Path.Combine(_dir.FullName, "notes.tar.gz");
        File.WriteAllText(text, "not an archive");

        Assert.Contains("is not a readable .tar.gz", Assert.Throws<BuildFailure>(() => HelperArchive.Check(text, "0.8.0")).Message);
        Assert.Contains("does not exist", Assert.Throws<BuildFailure>(() => HelperArchive.Check(text + ".missing", "0.8.0")).Message);
    }
}
