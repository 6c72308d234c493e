namespace Build.Host;

/// <summary>The name a task is registered and targeted by (Cake.Frosting's <c>TaskNameAttribute</c>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class TaskNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>The one-line description shown by <c>--description</c> and <c>--help</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class TaskDescriptionAttribute(string description) : Attribute
{
    public string Description { get; } = description;
}

/// <summary>Declares that a task runs after the task of the given type (Cake.Frosting's <c>IsDependentOnAttribute</c>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class IsDependentOnAttribute(Type task) : Attribute
{
    public Type Task { get; } = task;
}
