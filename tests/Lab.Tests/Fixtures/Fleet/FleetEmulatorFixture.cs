using System.Net;
using System.Net.Sockets;

namespace Lab.Fixtures.Fleet;

/// <summary>
/// The AWS emulator on 127.0.0.1 with a certificate for Auto Scaling's and EC2's regional names, and the build's
/// Query client reaching it for those names (a connect callback: no DNS, no other address).
/// </summary>
public sealed class FleetEmulatorFixture : IAsyncLifetime
{
    public const string Region = "eu-west-1";

    private readonly TestCertificateAuthority _authority = TestCertificateAuthority.Create("Lab Fleet Tests CA");
    private IssuedCertificate _server = null!;

    public AwsEmulator Emulator { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _server = _authority.IssueServerCertificate([$"autoscaling.{Region}.amazonaws.com", $"ec2.{Region}.amazonaws.com"], [IPAddress.Loopback]);
        Emulator = await AwsEmulator.StartNewAsync(new AwsEmulatorOptions { ServerCertificate = _server.Certificate, Keys = [LabIdentities.Runner, LabIdentities.Temporary] });
    }

    public async Task DisposeAsync()
    {
        await Emulator.DisposeAsync();
        _server.Dispose();
        _authority.Dispose();
    }

    /// <summary>The build's FleetApi signing with <paramref name="key"/>, sending to this emulator.</summary>
    public Build.Fleet.FleetApi Api(AwsKey key)
    {
        var endpoint = Emulator.BoundEndpoints[0];
        var signing = new Build.Aws.AwsSigningKey(new Build.Secrets.Secret(key.AccessKeyId), new Build.Secrets.Secret(key.SecretAccessKey), key.SessionToken is null ? null : new Build.Secrets.Secret(key.SessionToken));
        var client = new Build.Fleet.AwsQueryClient(signing, null, handler: () =>
        {
            var handler = _authority.CreateHttpHandler();
            handler.ConnectCallback = async (_, cancel) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(endpoint, cancel);
                return new NetworkStream(socket, ownsSocket: true);
            };
            return handler;
        });
        return new Build.Fleet.FleetApi(client, Region);
    }
}
