using Build.Docker;

namespace Build.Aws;

/// <summary>An image's pull-through form through one rule, or why the rule does not serve it; a note for a form worth knowing.</summary>
public sealed record PullThroughTranslation(PullThroughRule Rule, ImageReference Upstream, string? Reference, string? Note, string? Refusal);

/// <summary>
/// A pull-through cache rule of a private registry: images of <see cref="Upstream"/> are pulled as
/// <c>&lt;registry&gt;/&lt;prefix&gt;/&lt;upstream path&gt;</c>, and the first pull makes ECR import them.
/// </summary>
public sealed record PullThroughRule(string Prefix, PullThroughUpstream Upstream)
{
    /// <summary>Where Docker Hub's official images (library/…) are copied on ECR Public.</summary>
    public const string OfficialImagesOnEcrPublic = "docker/library/";

    /// <summary>The image as docker reads it: no registry is Docker Hub, and an official image there lives under library/.</summary>
    public static ImageReference Canonical(ImageReference image)
    {
        var upstream = PullThroughUpstream.Of(image.Registry ?? "docker.io");
        var repository = upstream.IsDockerHub && !image.Repository.Contains('/', StringComparison.Ordinal) ? "library/" + image.Repository : image.Repository;
        return image with { Registry = upstream.Host, Repository = repository };
    }

    /// <summary>The pull-through reference of <paramref name="image"/> on <paramref name="registry"/> through this rule.</summary>
    public PullThroughTranslation Translate(ImageReference image, EcrRegistry registry)
    {
        var upstream = Canonical(image);
        if (upstream.Registry == Upstream.Host)
        {
            return new(this, upstream, Reference(registry, upstream.Repository, upstream), Upstream.IsDockerHub && upstream.Repository.StartsWith("library/", StringComparison.Ordinal) ? "official image: library/ is part of the path" : null, null);
        }

        // ECR Public carries a copy of Docker Hub's official images under docker/library/, so an ECR Public rule serves them too.
        if (Upstream.Host == EcrRegistry.PublicHost && upstream.Registry == PullThroughUpstream.DockerHub && upstream.Repository.StartsWith("library/", StringComparison.Ordinal))
        {
            var path = "docker/" + upstream.Repository;
            return new(this, upstream, Reference(registry, path, upstream), $"ECR Public's copy of the Docker official image, {EcrRegistry.PublicHost}/{path}", null);
        }

        return new(this, upstream, null, null, $"{upstream.Registry}/{upstream.Repository} is not on {Upstream.Host}");
    }

    private string Reference(EcrRegistry registry, string path, ImageReference upstream) =>
        new ImageReference(registry.Host, $"{Prefix}/{path}", upstream.Tag, upstream.Digest).ToString();

    public override string ToString() => $"{Prefix}={Upstream.Host}";
}
