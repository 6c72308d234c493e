namespace Build.Tasks;

/// <summary>Thrown by a target whose capability is not built yet, so that it fails instead of passing while doing nothing.</summary>
public sealed class NotAvailableYetException(string target, string capability)
    : Exception($"{target} is not available yet: {capability} has not been built in this version. Nothing was changed.");
