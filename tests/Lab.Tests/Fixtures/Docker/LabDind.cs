namespace Lab.Fixtures.Docker;

/// <summary>The lab's DinD service as a job sees it: on the lab network as <c>docker</c> (tcp 2375), trusting the lab CA for one registry.</summary>
public static class LabDind
{
    /// <summary>
    /// Starts a DinD daemon named <c>&lt;run&gt;-&lt;name&gt;</c> (with further <c>docker run</c> options, such as
    /// <c>-e DOCKER_TLS_CERTDIR=/certs</c> for TLS on 2376) and waits until it answers; remove it with <c>docker rm -fv</c>.
    /// </summary>
    public static async Task<string> StartAsync(LabFixture lab, string name, LabRegistry registry, CancellationToken cancel, params string[] options)
    {
        var dind = $"{lab.RunId}-{name}";
        var certs = lab.NewFolder(name + "-certs");
        Directory.CreateDirectory(Path.Combine(certs, registry.Host));
        File.Copy(lab.CaPath, Path.Combine(certs, registry.Host, "ca.crt"));

        // --privileged is refused on this machine (CAP_SYS_RESOURCE is outside the bounding set); this is its equivalent.
        await Cli.DockerAsync("start the DinD daemon", cancel,
        [
            "run", "-d", "--pull", "never", "--name", dind, "--label", $"{LabFixture.RunLabel}={lab.RunId}", "--label", LabFixture.Owner,
            "--network", lab.Network, "--network-alias", "docker",
            "--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE", "--security-opt", "seccomp=unconfined",
            "-v", certs + ":/etc/docker/certs.d:ro", .. options, lab.Images.Dind,
        ]);
        try
        {
            await WaitForDaemonAsync(dind, cancel);
            return dind;
        }
        catch
        {
            await Cli.RunAsync("docker", ["rm", "-fv", dind], CancellationToken.None);
            throw;
        }
    }

    private static async Task WaitForDaemonAsync(string container, CancellationToken cancel)
    {
        for (var attempt = 0; attempt < 120; attempt++)
        {
            if ((await Cli.RunAsync("docker", ["exec", container, "docker", "version", "--format", "{{.Server.Version}}"], cancel)).Succeeded)
            {
                return;
            }

            await Task.Delay(500, cancel);
        }

        var logs = await Cli.RunAsync("docker", ["logs", "--tail", "30", container], cancel);
        throw new LabException($"the DinD daemon in {container} did not answer within 60 s: {logs.Output}{logs.Error}");
    }
}
