using System.Text.Json;
using System.Text.Json.Nodes;
using Build.Aws;

namespace Build.Fleet;

/// <summary>
/// The IAM split of a fleet: a worker pulls from ECR and nothing else (its DinD jobs' tokens); the manager has the
/// fleeting plugin's Auto Scaling and EC2 actions on its own group, and pulls from ECR for the jobs' image:.
/// </summary>
public static class FleetPolicies
{
    /// <summary>The ECR actions of a pull, on the repositories of the configured private registries.</summary>
    public static readonly IReadOnlyList<string> PullActions = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"];

    /// <summary>What the fleeting plugin for AWS calls (SSH keys go through EC2 Instance Connect).</summary>
    public static readonly IReadOnlyList<string> GroupActions = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"];

    public static readonly IReadOnlyList<string> DescribeActions = ["autoscaling:DescribeAutoScalingGroups", "ec2:DescribeInstances"];

    public const string SendSshPublicKey = "ec2-instance-connect:SendSSHPublicKey";

    public static string Worker(IReadOnlyList<EcrRegistry> registries) => Document(EcrStatements(registries));

    public static string Manager(IReadOnlyList<EcrRegistry> registries, string group)
    {
        var statements = new List<JsonObject>
        {
            Statement("FleetingGroup", GroupActions, [$"arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/{group}"]),
            Statement("FleetingDescribe", DescribeActions, ["*"]),
            Statement("FleetingSsh", [SendSshPublicKey], ["*"], new JsonObject { ["StringEquals"] = new JsonObject { ["aws:ResourceTag/aws:autoscaling:groupName"] = group } }),
        };
        return Document([.. statements, .. EcrStatements(registries)]);
    }

    private static List<JsonObject> EcrStatements(IReadOnlyList<EcrRegistry> registries)
    {
        var statements = new List<JsonObject> { Statement("EcrToken", ["ecr:GetAuthorizationToken"], ["*"]) };
        var repositories = registries.Where(r => !r.IsPublic).Select(r => $"arn:{Partition(r)}:ecr:{r.Region}:{r.AccountId}:repository/*").Distinct().ToList();
        if (repositories.Count > 0)
        {
            statements.Add(Statement("EcrPull", PullActions, repositories));
        }

        if (registries.Any(r => r.IsPublic))
        {
            statements.Add(Statement("EcrPublicToken", ["ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"], ["*"]));
        }

        return statements;
    }

    private static string Partition(EcrRegistry registry) => registry.Host.EndsWith(".cn", StringComparison.Ordinal) ? "aws-cn" : "aws";

    private static JsonObject Statement(string sid, IEnumerable<string> actions, IEnumerable<string> resources, JsonObject? condition = null)
    {
        var statement = new JsonObject
        {
            ["Sid"] = sid,
            ["Effect"] = "Allow",
            ["Action"] = new JsonArray([.. actions.Select(a => (JsonNode)a)]),
            ["Resource"] = new JsonArray([.. resources.Select(r => (JsonNode)r)]),
        };
        if (condition is not null)
        {
            statement["Condition"] = condition;
        }

        return statement;
    }

    private static string Document(IEnumerable<JsonObject> statements) =>
        new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = new JsonArray([.. statements]) }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
}
