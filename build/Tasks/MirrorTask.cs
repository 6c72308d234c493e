using Build.Aws;
using Build.Host;
using Cake.Common.Diagnostics;

namespace Build.Tasks;

[TaskName("Mirror")]
[TaskDescription("Prints the pull-through form of MIRROR_IMAGE (--mirror-image=alpine:3.20) through each rule of PULL_THROUGH_CACHE; changes nothing.")]
public sealed class MirrorTask : FrostingTask<BuildContext>
{
    public override IEnumerable<string> Requirements(BuildContext context) =>
        Needs.PullThroughCache(context).Concat(Needs.PullThroughRegistry(context)).Concat(Needs.MirrorImages(context));

    public override void Run(BuildContext context) =>
        context.Information(PullThroughTable.Render(context.Settings.Aws.PullThrough, context.Settings.Aws.PullThrough.MirrorImages).TrimEnd());
}
