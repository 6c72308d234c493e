using System.IO.Compression;
using System.Text;

namespace Lab.Fixtures.Helper;

/// <summary>
/// TEST FIXTURE, not the real helper: a tiny Go module of this project's own that stands in for
/// amazon-ecr-credential-helper in the tests of BuildHelper's <c>build</c> source, because no Go module proxy is
/// reachable here. It has the upstream layout the build source relies on (<c>&lt;module&gt;/ecr-login/cli/
/// docker-credential-ecr-login</c> and <c>&lt;module&gt;/ecr-login/version.Version</c>) and speaks the
/// credential-helper protocol's <c>get</c> (a fixed fixture token for the server URL on stdin) and <c>version</c>.
/// It is served by a module proxy in a folder, <c>GOPROXY=file://...</c>, laid out as Go expects:
/// <c>&lt;module&gt;/@v/list</c>, <c>vX.Y.Z.info</c>, <c>.mod</c> and <c>.zip</c> whose entries start with
/// <c>&lt;module&gt;@vX.Y.Z/</c>.
/// </summary>
public static class FixtureModuleProxy
{
    public const string Module = "lab.example/ecr-helper-fixture";

    public const string Version = "0.0.1";

    public const string Token = "fixture-token";

    private const string GoMod = $"module {Module}/ecr-login\n\ngo 1.19\n";

    private const string VersionGo = "package version\n\n// Version is stamped at build time with -ldflags -X.\nvar Version = \"development\"\n";

    private const string MainGo =
        $$"""
        // Fixture for the lab tests of BuildHelper's build source: the credential-helper protocol's get and version.
        package main

        import (
        	"bufio"
        	"encoding/json"
        	"fmt"
        	"os"
        	"strings"

        	"{{Module}}/ecr-login/version"
        )

        func main() {
        	if len(os.Args) != 2 {
        		fmt.Println("Usage: docker-credential-ecr-login <get|version>")
        		os.Exit(1)
        	}
        	switch os.Args[1] {
        	case "get":
        		line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
        		server := strings.TrimSpace(line)
        		if server == "" {
        			fmt.Println("no credentials server URL")
        			os.Exit(1)
        		}
        		json.NewEncoder(os.Stdout).Encode(map[string]string{"ServerURL": server, "Username": "AWS", "Secret": "{{Token}}"})
        	case "version":
        		fmt.Printf("docker-credential-ecr-login ({{Module}}) %s\n", version.Version)
        	default:
        		fmt.Println("unknown verb " + os.Args[1])
        		os.Exit(1)
        	}
        }

        """;

    /// <summary>Writes the proxy into <paramref name="folder"/> and returns its GOPROXY value.</summary>
    public static string Write(string folder)
    {
        var module = $"{Module}/ecr-login";
        var versions = Directory.CreateDirectory(Path.Combine(folder, module, "@v")).FullName;
        var v = "v" + Version;
        File.WriteAllText(Path.Combine(versions, "list"), v + "\n");
        File.WriteAllText(Path.Combine(versions, v + ".info"), $$"""{"Version":"{{v}}","Time":"2026-11-01T00:00:00Z"}""");
        File.WriteAllText(Path.Combine(versions, v + ".mod"), GoMod);
        using (var zip = ZipFile.Open(Path.Combine(versions, v + ".zip"), ZipArchiveMode.Create))
        {
            foreach (var (name, text) in new[] { ("go.mod", GoMod), ("version/version.go", VersionGo), ("cli/docker-credential-ecr-login/main.go", MainGo) })
            {
                using var entry = zip.CreateEntry($"{module}@{v}/{name}").Open();
                entry.Write(Encoding.UTF8.GetBytes(text));
            }
        }

        // The Go container runs as root; the proxy is mounted read-only at the same path.
        foreach (var path in Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories).Append(folder))
        {
            File.SetUnixFileMode(path, Directory.Exists(path) ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100);
        }

        return "file://" + folder;
    }
}
