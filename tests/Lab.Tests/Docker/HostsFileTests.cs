namespace Lab.Docker;

public sealed class HostsFileTests : IDisposable
{
    private static readonly RunOwner Mine = RunOwner.Current("ecrlab-test");
    private readonly string _path = Path.GetTempFileName();

    public void Dispose() => File.Delete(_path);

    [Theory]
    [InlineData("127.0.0.1 localhost\n::1 localhost\n")]
    [InlineData("127.0.0.1 localhost")]
    [InlineData("")]
    public void Remove_gives_back_the_file_byte_for_byte(string original)
    {
        File.WriteAllText(_path, original);
        var hosts = new HostsFile(_path);

        hosts.Add([("172.30.0.2", "123456789012.dkr.ecr.us-east-1.amazonaws.com")], Mine);
        var during = File.ReadAllText(_path);
        hosts.Remove();

        Assert.Contains($"172.30.0.2 123456789012.dkr.ecr.us-east-1.amazonaws.com {HostsFile.Marker} ecrlab-test pid={Environment.ProcessId}\n", during);
        Assert.StartsWith(original, during);
        Assert.Equal(original, File.ReadAllText(_path));
    }

    [Fact]
    public void Remove_takes_only_its_own_lines_so_a_concurrent_runs_block_and_later_edits_stay()
    {
        File.WriteAllText(_path, "127.0.0.1 localhost\n");
        var first = new HostsFile(_path);
        var second = new HostsFile(_path);
        first.Add([("172.30.0.2", "a.example")], Mine);
        second.Add([("172.31.0.2", "b.example")], RunOwner.Current("ecrlab-other"));
        File.AppendAllText(_path, "10.0.0.5 db # added by someone else\n");

        first.Remove();

        Assert.Equal($"127.0.0.1 localhost\n172.31.0.2 b.example {HostsFile.Marker} ecrlab-other pid={Environment.ProcessId}\n10.0.0.5 db # added by someone else\n", File.ReadAllText(_path));
        second.Remove();
        Assert.Equal("127.0.0.1 localhost\n10.0.0.5 db # added by someone else\n", File.ReadAllText(_path));
    }

    [Fact]
    public async Task Leftovers_are_the_blocks_of_dead_or_unknown_owners_and_a_live_runs_block_is_kept()
    {
        File.WriteAllText(_path, "127.0.0.1 localhost\n10.0.0.5 db # mine\n");
        var deadPid = await LeftoverTests.DeadPidAsync();
        new HostsFile(_path).Add([("172.30.0.2", "a.example"), ("172.30.0.1", "b.example")], new RunOwner("ecrlab-killed", deadPid));
        File.AppendAllText(_path, $"172.30.0.3 old.example {HostsFile.Marker} ecrlab-oldformat\n");
        new HostsFile(_path).Add([("172.31.0.2", "live.example")], Mine);

        new HostsFile(_path).RemoveLeftovers();

        Assert.Equal($"127.0.0.1 localhost\n10.0.0.5 db # mine\n172.31.0.2 live.example {HostsFile.Marker} {Mine}\n", File.ReadAllText(_path));
    }

    [Fact]
    public void Writes_keep_the_same_inode_because_hosts_files_are_often_bind_mounts()
    {
        File.WriteAllText(_path, "127.0.0.1 localhost\n");
        var before = Inode(_path);
        var hosts = new HostsFile(_path);

        hosts.Add([("172.30.0.2", "a.example")], Mine);
        hosts.Remove();

        Assert.Equal(before, Inode(_path));
    }

    private static long Inode(string path) => long.Parse(Cli.RunAsync("stat", ["-c", "%i", path], CancellationToken.None).GetAwaiter().GetResult().Output.Trim());
}
