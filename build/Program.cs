using Build;
using Build.Host;

return await new CakeHost<BuildContext>(typeof(BuildContext).Assembly, host => new BuildContext(host), defaultTarget: "Doctor")
    .RunAsync(args);
