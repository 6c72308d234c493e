namespace Lab.Fixtures.Helper;

/// <summary>
/// A test that needs the lab's real helper (<see cref="LabHelper"/>), which is built from the upstream source archive:
/// reported as skipped, with the reason and where to get the archive, when the archive is absent, so that a clone alone
/// runs the rest of the suite. xunit v2 has no skip at run time; an attribute that sets <see cref="FactAttribute.Skip"/>
/// when tests are discovered is its way.
/// </summary>
public sealed class HelperArchiveFactAttribute : FactAttribute
{
    public HelperArchiveFactAttribute()
    {
        if (LabHelper.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
