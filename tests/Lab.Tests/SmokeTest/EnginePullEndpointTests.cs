using System.Net;
using Build.Docker;
using Build.Secrets;
using Build.Smoke;
using Xunit.Abstractions;

namespace Lab.SmokeTest;

/// <summary>
/// SmokeTest's Engine API pull against real endpoints: a DinD daemon that speaks only TLS with client certificates
/// (reached through a loopback relay that records the bytes on the wire), and plain tcp listeners on and off loopback.
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Integration")]
public sealed class EnginePullEndpointTests(LabFixture lab, ITestOutputHelper output)
{
    [Fact]
    public async Task Engine_pull_reaches_a_TLS_daemon_with_its_client_certificate_and_no_token_crosses_the_wire_readable()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var cancel = timeout.Token;
        var registry = lab.Registries[0];
        var token = new Secret(registry.Ecr.Password);

        // Given a DinD daemon listening with --tlsverify on 2376, its client certificates copied out, and a relay on loopback to it
        var dind = await LabDind.StartAsync(lab, "tls-dind", registry, cancel, "-e", "DOCKER_TLS_CERTDIR=/certs");
        try
        {
            var certs = lab.NewFolder("tls-client");
            await Cli.DockerAsync("copy the DinD client certificates", cancel, "cp", dind + ":/certs/client/.", certs);
            var address = IPAddress.Parse((await Cli.DockerAsync("read the DinD address", cancel, "inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", dind)).Output.Trim());
            await using var relay = TcpRecorder.Start(IPAddress.Loopback, c => TcpRecorder.ConnectAsync(new IPEndPoint(address, 2376), c));
            var api = (await Cli.DockerAsync("read the DinD API version", cancel, "exec", dind, "docker", "version", "--format", "{{.Server.APIVersion}}")).Output.Trim();

            // When the pull runs with DOCKER_HOST on the relay, DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH
            var endpoint = Resolve(("DOCKER_HOST", $"tcp://127.0.0.1:{relay.EndPoint.Port}"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", certs));
            var failure = await new EnginePull(endpoint, api).PullAsync(registry.PrivateImage, registry.Host, "AWS", token, TimeSpan.FromMinutes(2), cancel);

            // Then it pulled (the inner daemon has the image), the wire opened with a TLS handshake and carried the token in no form
            Assert.True(failure is null, $"{failure?.Cause} / {failure?.Fix}");
            await Cli.DockerAsync("find the pulled image in the TLS daemon", cancel, "exec", dind, "docker", "image", "inspect", "--format", "{{.Id}}", registry.PrivateImage);
            Assert.Equal(0x16, relay.Received[0]);
            AssertNotOnWire(relay, token, registry.Host);
            Assert.False(relay.Text.Contains("images/create", StringComparison.Ordinal), "the request line crossed the wire readable");

            // When the CA is another one (the lab's), then the handshake fails: the cause says so, and nothing is pulled
            var otherCa = lab.NewFolder("tls-other-ca");
            File.Copy(lab.CaPath, Path.Combine(otherCa, "ca.pem"));
            File.Copy(Path.Combine(certs, "cert.pem"), Path.Combine(otherCa, "cert.pem"));
            File.Copy(Path.Combine(certs, "key.pem"), Path.Combine(otherCa, "key.pem"));
            var untrusted = await new EnginePull(Resolve(("DOCKER_HOST", $"tcp://127.0.0.1:{relay.EndPoint.Port}"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", otherCa)), api)
                .PullAsync(registry.PrivateImage, registry.Host, "AWS", token, TimeSpan.FromMinutes(1), cancel);
            output.WriteLine(untrusted?.Cause);
            Assert.NotNull(untrusted);
            Assert.Contains("the connection to the host daemon at", untrusted.Cause);
            Assert.Contains("errors in the certificate chain", untrusted.Cause);
            Assert.Contains("ca.pem", untrusted.Fix);

            // When the host name is not the certificate's (127.0.0.2 is not among its names), then the name check refuses it
            await using var otherName = TcpRecorder.Start(IPAddress.Parse("127.0.0.2"), c => TcpRecorder.ConnectAsync(new IPEndPoint(address, 2376), c));
            var mismatch = await new EnginePull(Resolve(("DOCKER_HOST", $"tcp://127.0.0.2:{otherName.EndPoint.Port}"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", certs)), api)
                .PullAsync(registry.PrivateImage, registry.Host, "AWS", token, TimeSpan.FromMinutes(1), cancel);
            output.WriteLine(mismatch?.Cause);
            Assert.NotNull(mismatch);
            Assert.Contains("RemoteCertificateNameMismatch", mismatch.Cause);
            Assert.True(otherName.Connections > 0, "the name check was not reached: no connection to 127.0.0.2");
            AssertNotOnWire(otherName, token, registry.Host);
            foreach (var text in new[] { untrusted.Cause, untrusted.Fix, mismatch.Cause, mismatch.Fix })
            {
                Assert.DoesNotContain(token.Reveal(), text);
            }
        }
        finally
        {
            await Cli.RunAsync("docker", ["rm", "-fv", dind], CancellationToken.None);
        }
    }

    [Fact]
    public async Task Engine_pull_sends_nothing_to_plain_or_unverified_tcp_off_loopback_and_sends_to_plain_loopback()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var cancel = timeout.Token;
        var token = new Secret("ecr-token-" + Guid.NewGuid().ToString("N"));
        var registry = lab.Registries[0];

        // Given listeners that record what they get: on the lab network's gateway (an address of this machine off loopback) and on loopback
        await using var network = TcpRecorder.Start(lab.Gateway);
        await using var loopback = TcpRecorder.Start(IPAddress.Loopback);
        var offLoopback = $"tcp://{lab.Gateway}:{network.EndPoint.Port}";

        // When the pull is asked for over plain tcp, and over TLS without verification, to the gateway
        var plain = await new EnginePull(Resolve(("DOCKER_HOST", offLoopback)), "1.41").PullAsync(registry.PrivateImage, registry.Host, "AWS", token, TimeSpan.FromSeconds(20), cancel);
        var unverified = await new EnginePull(Resolve(("DOCKER_HOST", offLoopback), ("DOCKER_TLS", "1")), "1.41").PullAsync(registry.PrivateImage, registry.Host, "AWS", token, TimeSpan.FromSeconds(20), cancel);

        // Then neither connected, and each says why and what to do
        Assert.Equal(0, network.Connections);
        Assert.NotNull(plain);
        Assert.Contains($"the pull of {registry.PrivateImage} was not sent: {offLoopback} (from DOCKER_HOST) is plain HTTP over the network", plain.Cause);
        Assert.Contains("clear text", plain.Cause);
        Assert.Contains("DOCKER_TLS_VERIFY=1", plain.Fix);
        Assert.NotNull(unverified);
        Assert.Contains("without verifying the daemon's certificate", unverified.Cause);

        // When the same is asked of plain tcp on loopback (allowed: the bytes stay on this machine)
        var local = await new EnginePull(Resolve(("DOCKER_HOST", $"tcp://127.0.0.1:{loopback.EndPoint.Port}")), "1.41").PullAsync(registry.PrivateImage, registry.Host, "AWS", token, TimeSpan.FromSeconds(20), cancel);

        // Then the request arrived with the header in it, as the recorder shows (so its silence above means nothing was sent)
        Assert.Equal(1, loopback.Connections);
        Assert.True(loopback.Text.Contains("X-Registry-Auth: " + EnginePull.AuthHeader("AWS", token, registry.Host), StringComparison.Ordinal), "the loopback request has no X-Registry-Auth header with the credentials");
        Assert.NotNull(local);
        Assert.Contains("the host daemon refused the pull", local.Cause);
        foreach (var text in new[] { plain.Cause, plain.Fix, unverified.Cause, unverified.Fix, local.Cause })
        {
            Assert.DoesNotContain(token.Reveal(), text);
        }
    }

    private static void AssertNotOnWire(TcpRecorder recorder, Secret token, string registry)
    {
        // Assert.False, so that a failure does not print what the wire carried.
        var wire = recorder.Text;
        Assert.False(wire.Contains("X-Registry-Auth", StringComparison.OrdinalIgnoreCase), "an X-Registry-Auth header crossed the wire readable");
        Assert.False(wire.Contains(EnginePull.AuthHeader("AWS", token, registry), StringComparison.Ordinal), "the X-Registry-Auth value crossed the wire readable");
        foreach (var form in SecretForms.Of(token.Reveal()))
        {
            Assert.False(wire.Contains(form, StringComparison.Ordinal), "the token crossed the wire readable");
        }
    }

    private EngineEndpoint Resolve(params (string Name, string Value)[] variables)
    {
        var values = variables.ToDictionary(v => v.Name, v => v.Value);
        values["HOME"] = lab.NewFolder("home");
        return EngineEndpoints.Resolve(name => values.GetValueOrDefault(name));
    }
}
