namespace Lab.Docker;

public sealed class HostsFileTests : IDisposable
{
    private readonly string _path = Path.GetTempFileName();

    public void Dispose() => File.Delete(_path);

    [Theory]
    [InlineData("127.0.0.1 localhost\n::1 localhost\n")]
    [InlineData("127.0.0.1 localhost")]
    [InlineData("")]
    public void Restore_gives_back_the_file_byte_for_byte(string original)
    {
        File.WriteAllText(_path, original);
        var hosts = new HostsFile(_path);

        hosts.Add([("172.30.0.2", "123456789012.dkr.ecr.us-east-1.amazonaws.com")], "ecrlab-test");
        var during = File.ReadAllText(_path);
        hosts.Restore();

        Assert.Contains("172.30.0.2 123456789012.dkr.ecr.us-east-1.amazonaws.com " + HostsFile.Marker, during);
        Assert.StartsWith(original, during);
        Assert.Equal(original, File.ReadAllText(_path));
    }

    [Fact]
    public void Leftover_block_of_a_killed_run_is_removed_and_other_lines_are_kept()
    {
        File.WriteAllText(_path, "127.0.0.1 localhost\n10.0.0.5 db # mine\n");
        new HostsFile(_path).Add([("172.30.0.2", "a.example"), ("172.30.0.1", "b.example")], "ecrlab-killed");

        new HostsFile(_path).RemoveLeftovers();

        Assert.Equal("127.0.0.1 localhost\n10.0.0.5 db # mine\n", File.ReadAllText(_path));
    }

    [Fact]
    public void Writes_keep_the_same_inode_because_hosts_files_are_often_bind_mounts()
    {
        File.WriteAllText(_path, "127.0.0.1 localhost\n");
        var before = new FileInfo(_path).Exists ? Inode(_path) : 0;
        var hosts = new HostsFile(_path);

        hosts.Add([("172.30.0.2", "a.example")], "ecrlab-test");
        hosts.Restore();

        Assert.Equal(before, Inode(_path));
    }

    private static long Inode(string path) => long.Parse(Cli.RunAsync("stat", ["-c", "%i", path], CancellationToken.None).GetAwaiter().GetResult().Output.Trim());
}
