namespace Build.Host;

/// <summary>
/// A task that can say what it would do. Under Cake's <c>--dryrun</c> no task body runs; a task with this interface
/// runs <see cref="PreviewAsync"/> in its place, which looks but changes nothing (Clean lists what it would remove).
/// </summary>
public interface IDryRunPreview<in TContext>
{
    Task PreviewAsync(TContext context);
}
