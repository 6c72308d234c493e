using Build.Docker;
using Build.Doctor;
using Build.Host;
using Cake.Common.Diagnostics;

namespace Build.Tasks;

[TaskName("Doctor")]
[TaskDescription("Checks the machine: Docker daemon and its API version, Compose v2 or v1, .NET, free disk. Each line is ok, warn or fail with a fix.")]
public sealed class DoctorTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        var checks = new MachineDoctor(new CommandRunner(context, context.Redactor, context.CancellationToken), context.StateDirectory).Run();
        var width = checks.Max(c => c.Name.Length);
        foreach (var check in checks)
        {
            context.Information(check.Render(width));
        }

        var failed = checks.Count(c => c.Status == CheckStatus.Fail);
        if (failed > 0)
        {
            throw new CommandException($"Doctor found {failed} problem(s); see the fix lines above.");
        }
    }
}
