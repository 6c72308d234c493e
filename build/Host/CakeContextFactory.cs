using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Cake.Core.Tooling;

namespace Build.Host;

/// <summary>Wires Cake.Core's context (file system, tools, process runner, configuration) without a script runner.</summary>
public static class CakeContextFactory
{
    public static ICakeContext Create(CakeEnvironment environment, ICakeLog log, HostOptions options)
    {
        var fileSystem = new FileSystem();
        var globber = new Globber(fileSystem, environment);
        var configuration = new CakeConfigurationProvider(fileSystem, environment)
            .CreateConfiguration(environment.WorkingDirectory, options.Arguments.ToDictionary(a => a.Key, a => a.Value, StringComparer.OrdinalIgnoreCase));
        var repository = new ToolRepository(environment);
        var tools = new ToolLocator(environment, repository, new ToolResolutionStrategy(fileSystem, environment, globber, configuration, log));
        var processes = new ProcessRunner(fileSystem, environment, log, tools, configuration);
        var arguments = new CakeArguments(options.Arguments.ToLookup(a => a.Key, a => a.Value, StringComparer.OrdinalIgnoreCase));
        var installer = new ToolInstaller(environment, tools, configuration, log, []);
        return new CakeContext(fileSystem, environment, globber, log, arguments, processes, new WindowsRegistry(), tools, new CakeDataService(), configuration, installer, new EmptyServices());
    }

    private sealed class EmptyServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
