using System.Text.Json;
using Build.Fleet;
using YamlDotNet.RepresentationModel;
using static Build.Tests.Fixtures.FleetFixture;

namespace Build.Tests.Fleet;

/// <summary>
/// The generated CloudFormation template, parsed: every resource and property docs/scale-out.md names (the group's
/// protections, the launch template's metadata options by mode, both roles with their policies, the instance profile).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CloudFormationTests
{
    private static YamlMappingNode Template(string mode) => Yaml(Rendered(mode)[WorkerFiles.CloudFormation]);

    private static YamlNode Resource(YamlMappingNode template, string name, string type)
    {
        var resource = At(template, "Resources", name);
        Assert.Equal(type, Scalar(resource, "Type"));
        return At(resource, "Properties");
    }

    private static List<string> Actions(YamlNode policy) =>
        [.. ((YamlSequenceNode)At(policy, "Statement")).Cast<YamlMappingNode>().SelectMany(s => ((YamlSequenceNode)At(s, "Action")).Cast<YamlScalarNode>().Select(a => a.Value!))];

    [Theory]
    [InlineData("token")]
    [InlineData("helper")]
    public void The_group_starts_empty_with_scale_in_protection_from_the_launch_template(string mode)
    {
        var group = Resource(Template(mode), "WorkerGroup", "AWS::AutoScaling::AutoScalingGroup");

        Assert.Equal("ci-workers", Scalar(group, "AutoScalingGroupName"));
        Assert.Equal("0", Scalar(group, "MinSize"));
        Assert.Equal("0", Scalar(group, "DesiredCapacity"));
        Assert.Equal("10", Scalar(group, "MaxSize"));
        Assert.Equal("true", Scalar(group, "NewInstancesProtectedFromScaleIn"));
        Assert.Equal("WorkerLaunchTemplate", Scalar(group, "LaunchTemplate", "LaunchTemplateId"));
        Assert.Equal("!Ref", At(group, "LaunchTemplate", "LaunchTemplateId").Tag.Value);
        Assert.False(((YamlMappingNode)group).Children.ContainsKey(new YamlScalarNode("SuspendedProcesses")));
    }

    [Fact]
    public void AZRebalance_is_suspended_by_the_command_the_outputs_give_since_CloudFormation_cannot()
    {
        var command = Scalar(Template("token"), "Outputs", "SuspendAZRebalance", "Value");

        Assert.Equal("aws autoscaling suspend-processes --auto-scaling-group-name ci-workers --scaling-processes AZRebalance", command);
    }

    [Theory]
    [InlineData("token", "1")]
    [InlineData("helper", "2")]
    public void The_launch_template_requires_IMDSv2_with_the_hop_limit_of_the_mode_and_the_user_data(string mode, string hops)
    {
        var template = Template(mode);
        var data = At(Resource(template, "WorkerLaunchTemplate", "AWS::EC2::LaunchTemplate"), "LaunchTemplateData");

        Assert.Equal("required", Scalar(data, "MetadataOptions", "HttpTokens"));
        Assert.Equal("enabled", Scalar(data, "MetadataOptions", "HttpEndpoint"));
        Assert.Equal(hops, Scalar(data, "MetadataOptions", "HttpPutResponseHopLimit"));
        Assert.Equal("WorkerInstanceProfile.Arn", Scalar(data, "IamInstanceProfile", "Arn"));
        Assert.Equal(Rendered(mode)[WorkerFiles.UserData], Scalar(data, "UserData", "Fn::Base64"));
    }

    [Fact]
    public void The_worker_role_may_only_pull_from_ECR_and_has_an_instance_profile()
    {
        var template = Template("token");
        var role = Resource(template, "WorkerRole", "AWS::IAM::Role");
        var policy = At(((YamlSequenceNode)At(role, "Policies")).Children.Single(), "PolicyDocument");

        Assert.All(Actions(policy), a => Assert.StartsWith("ecr:", a, StringComparison.Ordinal));
        Assert.Equal(["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"], Actions(policy));
        Assert.Equal("ec2.amazonaws.com", Scalar(((YamlSequenceNode)At(role, "AssumeRolePolicyDocument", "Statement")).Children.Single(), "Principal", "Service"));
        Assert.Equal("WorkerRole", ((YamlScalarNode)((YamlSequenceNode)At(Resource(template, "WorkerInstanceProfile", "AWS::IAM::InstanceProfile"), "Roles")).Children.Single()).Value);
    }

    [Fact]
    public void The_manager_policy_has_the_plugins_actions_on_its_group_and_ECR_pull_and_a_role_carries_it()
    {
        var template = Template("token");
        var policy = At(Resource(template, "ManagerPolicy", "AWS::IAM::ManagedPolicy"), "PolicyDocument");

        Assert.Equal(
            ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup", "autoscaling:DescribeAutoScalingGroups", "ec2:DescribeInstances", "ec2-instance-connect:SendSSHPublicKey",
             "ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
            Actions(policy));
        Assert.Contains("autoScalingGroupName/ci-workers", Rendered("token")[WorkerFiles.ManagerPolicy], StringComparison.Ordinal);
        var role = Resource(template, "ManagerRole", "AWS::IAM::Role");
        Assert.Equal("ManagerPolicy", ((YamlScalarNode)((YamlSequenceNode)At(role, "ManagedPolicyArns")).Children.Single()).Value);
        Resource(template, "ManagerInstanceProfile", "AWS::IAM::InstanceProfile");
    }

    [Fact]
    public void The_policy_files_are_the_templates_policies_and_ECR_Public_adds_its_token_actions()
    {
        var files = Rendered("token", new() { ["ECR_REGISTRIES"] = "111111111111.dkr.ecr.eu-west-1.amazonaws.com,public.ecr.aws" });
        using var worker = JsonDocument.Parse(files[WorkerFiles.WorkerPolicy]);

        var statements = worker.RootElement.GetProperty("Statement").EnumerateArray().ToList();
        Assert.Equal(["EcrToken", "EcrPull", "EcrPublicToken"], statements.Select(s => s.GetProperty("Sid").GetString()));
        Assert.Equal("arn:aws:ecr:eu-west-1:111111111111:repository/*", statements[1].GetProperty("Resource")[0].GetString());
        Assert.Contains("sts:GetServiceBearerToken", files[WorkerFiles.CloudFormation], StringComparison.Ordinal);
    }
}
