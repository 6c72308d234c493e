// Benchmark fixture: the same 8-task graph as build/, as a Cake script for `dotnet cake --tree`.
var target = Argument("target", "Doctor");

Task("BuildHelper").Description("Builds the static ECR credential helper.").Does(() => { });
Task("StageCredentials").Description("Validates and stages the AWS credentials.").Does(() => { });
Task("Up").Description("Starts the runner.").IsDependentOn("BuildHelper").IsDependentOn("StageCredentials").Does(() => { });
Task("Register").Description("Registers the runner.").IsDependentOn("Up").Does(() => { });
Task("SmokeTest").Description("Proves both ECR paths.").IsDependentOn("Register").Does(() => { });
Task("Down").Description("Stops the runner.").Does(() => { });
Task("Clean").Description("Removes what the build created.").Does(() => { });
Task("Doctor").Description("Checks the machine.").Does(() => { });

RunTarget(target);
