using Build.Aws;
using Build.Helper;
using Build.Host;
using Build.Processes;
using Build.Secrets;
using Build.Settings;
using Cake.Core;
using Cake.Core.Diagnostics;

namespace Build.Tests.Helper;

/// <summary>
/// Reading the version a helper binary reports: its <c>-v</c> (or <c>version</c>) output where it can run here, the
/// version stamped into its ELF where it cannot (tiny ELF fixtures laid out as Go's linker lays out a <c>-X</c>
/// string), and what a version other than HELPER_VERSION means for each source.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HelperVersionTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("helper-version-test-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static HelperPlatform Foreign => HelperLocation.Host == HelperPlatform.Amd64 ? HelperPlatform.Arm64 : HelperPlatform.Amd64;

    private string Write(string name, TinyElf elf) => elf.WriteTo(Path.Combine(_dir.FullName, name));

    private static HelperVersionReader Reader()
    {
        var context = CakeContextFactory.Create(new CakeEnvironment(new CakePlatform(), new CakeRuntime()), new NullLog(), HostOptions.Parse([]));
        return new HelperVersionReader(new CommandRunner(context, new Redactor(), CancellationToken.None));
    }

    [Fact]
    public void The_stamp_is_read_from_the_one_nul_terminated_version_string_a_string_header_points_at_for_either_machine()
    {
        foreach (var platform in HelperPlatform.All)
        {
            var elf = TinyElf.Helper(platform, "0.8.0");

            Assert.Equal("0.8.0", GoVersionStamp.Read(elf.Bytes()));
            Assert.Equal("v1.2.3-rc.1", GoVersionStamp.Read((elf with { Stamps = ["v1.2.3-rc.1"] }).Bytes()));
            Assert.Equal("0.8.0", GoVersionStamp.Read((elf with { Stamps = ["0.8.0", "0.8.0"] }).Bytes()));
        }
    }

    [Fact]
    public void No_stamp_is_read_from_two_different_versions_an_unterminated_literal_a_non_version_or_a_binary_without_one()
    {
        var elf = TinyElf.Helper(HelperPlatform.Amd64, "0.8.0");

        Assert.Null(GoVersionStamp.Read((elf with { Stamps = ["0.8.0", "1.2.3"] }).Bytes()));
        Assert.Null(GoVersionStamp.Read((elf with { Unterminated = true }).Bytes()));
        Assert.Null(GoVersionStamp.Read((elf with { Stamps = ["development"] }).Bytes()));
        Assert.Null(GoVersionStamp.Read("/bin/busybox"));
        Assert.Null(GoVersionStamp.Read("#!/bin/sh\necho 0.8.0\n"u8.ToArray()));
    }

    [Theory]
    [InlineData("-v", "amazon-ecr-credential-helper\nVersion:    0.8.0\nGit commit: \n", "0.8.0")]
    [InlineData("-v", "amazon-ecr-credential-helper\r\nVersion:    0.12.0\r\nGit commit: 1a2b3c4\r\n", "0.12.0")]
    [InlineData("-v", "Usage: docker-credential-ecr-login <get|version>\n", null)]
    [InlineData("version", "docker-credential-ecr-login (github.com/awslabs/amazon-ecr-credential-helper/ecr-login) 0.8.0\n", "0.8.0")]
    [InlineData("version", "0.6.4\n", null)]
    public void The_version_is_parsed_from_v_and_from_version_only_where_it_names_the_helper(string verb, string output, string? expected)
    {
        Assert.Equal(expected, HelperVersionReader.Parse(verb, output));
    }

    [Fact]
    public void A_binary_for_this_machine_is_run_and_one_that_prints_no_version_is_read_for_its_stamp()
    {
        var prints = Write("prints", TinyElf.Helper(HelperLocation.Host, "0.8.0") with { Stamps = [] });
        var silent = Write("silent", new TinyElf(HelperLocation.Host) { ExitCode = 2, Stamps = ["0.8.0"] });
        var nothing = Write("nothing", new TinyElf(HelperLocation.Host) { ExitCode = 2 });

        Assert.Equal(new ReportedVersion("0.8.0", "its -v says so"), Reader().Read(prints, HelperLocation.Host));
        Assert.Equal(new ReportedVersion("0.8.0", "read from the version stamped into it"), Reader().Read(silent, HelperLocation.Host));
        var unverified = Reader().Read(nothing, HelperLocation.Host);
        Assert.Null(unverified.Version);
        Assert.Equal("it printed no version ('-v' exited 2, 'version' exited 2), and it holds no version stamp this build can read", unverified.How);
    }

    [Fact]
    public void A_binary_for_the_other_machine_is_not_run_and_is_read_for_its_stamp()
    {
        var stamped = Write("stamped", TinyElf.Helper(Foreign, "0.12.0"));
        var bare = Write("bare", TinyElf.Helper(Foreign, "0.12.0") with { Stamps = [] });

        Assert.Equal(new ReportedVersion("0.12.0", "read from the version stamped into it"), Reader().Read(stamped, Foreign));
        Assert.Equal(
            new ReportedVersion(null, $"a {Foreign} binary cannot run on this {HelperLocation.Host} machine, and it holds no version stamp this build can read"),
            Reader().Read(bare, Foreign));
    }

    [Fact]
    public void The_binary_runs_with_a_throwaway_home_no_aws_configuration_and_instance_metadata_off()
    {
        // A script, not an ELF: only the run is under test here, and a script can say what it was given.
        var seen = Path.Combine(_dir.FullName, "seen");
        var script = Path.Combine(_dir.FullName, "helper");
        File.WriteAllText(script, $"#!/bin/sh\necho \"$HOME|$AWS_EC2_METADATA_DISABLED|$AWS_CONFIG_FILE|$AWS_PROFILE|$*\" > '{seen}'\necho 'Version:    0.8.0'\n");
        File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);

        var read = Reader().Read(script, HelperLocation.Host);

        Assert.Equal("0.8.0", read.Version);
        var fields = File.ReadAllText(seen).Trim().Split('|');
        Assert.NotEqual(Environment.GetEnvironmentVariable("HOME"), fields[0]);
        Assert.False(Directory.Exists(fields[0]), "the throwaway HOME was left behind");
        Assert.Equal("true", fields[1]);
        Assert.StartsWith(fields[0], fields[2]);
        Assert.Equal(string.Empty, fields[3]);
        Assert.Equal("-v", fields[4]);
    }

    private static HelperRequest Request(HelperSource source, string origin = "/opt/helper") => new(source, "0.12.0", origin, null, null, [HelperPlatform.Amd64]);

    [Fact]
    public void A_path_binary_of_another_version_is_used_with_one_warning_naming_its_real_version()
    {
        var warnings = HelperVersionCheck.Check(Request(HelperSource.Path), [(HelperPlatform.Amd64, new ReportedVersion("0.8.0", "its -v says so"))]);

        var warning = Assert.Single(warnings);
        Assert.Equal("HELPER_PATH /opt/helper reports version 0.8.0 (its -v says so), not HELPER_VERSION 0.12.0: it is used, and reported, as 0.8.0. Set HELPER_VERSION=0.8.0 if that is the version you mean to run.", warning);
        Assert.Empty(HelperVersionCheck.Check(Request(HelperSource.Path), [(HelperPlatform.Amd64, new ReportedVersion("v0.12.0", "its -v says so"))]));
    }

    [Theory]
    [InlineData(HelperSource.Download, "check HELPER_DOWNLOAD_URL")]
    [InlineData(HelperSource.Build, "check HELPER_MODULE")]
    [InlineData(HelperSource.Archive, "check that HELPER_ARCHIVE is the unmodified upstream release source")]
    public void A_downloaded_or_built_binary_of_another_version_is_refused_with_the_fix(HelperSource source, string fix)
    {
        var refused = Assert.Throws<BuildFailure>(() => HelperVersionCheck.Check(
            Request(source, "https://mirror.example"),
            [(HelperPlatform.Amd64, new ReportedVersion("0.12.0", "its -v says so")), (HelperPlatform.Arm64, new ReportedVersion("0.11.0", "read from the version stamped into it"))]));

        Assert.Contains("linux/arm64", refused.Problem);
        Assert.Contains("reports version 0.11.0 (read from the version stamped into it)", refused.Problem);
        Assert.Contains("nothing was installed", refused.Problem);
        Assert.StartsWith(fix, refused.Fix);
    }

    [Fact]
    public void A_binary_whose_version_could_not_be_read_is_accepted_as_unverified_with_a_warning()
    {
        var warnings = HelperVersionCheck.Check(
            Request(HelperSource.Download),
            [(HelperPlatform.Amd64, new ReportedVersion("0.12.0", "its -v says so")), (HelperPlatform.Arm64, new ReportedVersion(null, "a linux/arm64 binary cannot run here"))]);

        Assert.Equal(["the version of the download source's helper for linux/arm64 could not be read (a linux/arm64 binary cannot run here); it is recorded, and reported, as unverified."], warnings);
    }
}
