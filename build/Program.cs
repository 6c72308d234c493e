using Build;
using Build.Host;

return await new CakeHost<BuildContext>(TaskCatalog.TypesIn(typeof(BuildContext).Assembly), host => new BuildContext(host), defaultTarget: "Doctor")
    .RunAsync(args);
