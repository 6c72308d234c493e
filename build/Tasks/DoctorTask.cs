using Build.Doctor;
using Build.Host;
using Cake.Common.Diagnostics;

namespace Build.Tasks;

[TaskName("Doctor")]
[TaskDescription("Checks the machine: Docker daemon and its API version, Compose v2 or v1, the .NET SDK, free disk. Each line is ok, warn or fail with a fix.")]
public sealed class DoctorTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        var checks = new MachineDoctor(context.Docker, () => context.Compose, context.Commands, context.StateDirectory).Run();
        var width = checks.Max(c => c.Name.Length);
        foreach (var check in checks)
        {
            // Failures are errors, so they and their fixes still print at --verbosity=quiet.
            switch (check.Status)
            {
                case CheckStatus.Fail: context.Error(check.Render(width)); break;
                case CheckStatus.Warn: context.Warning(check.Render(width)); break;
                default: context.Information(check.Render(width)); break;
            }
        }

        var failed = checks.Where(c => c.Status == CheckStatus.Fail).Select(c => c.Name).ToList();
        if (failed.Count > 0)
        {
            throw new DoctorFailedException(failed);
        }
    }
}
