namespace Build.GitLab;

/// <summary>Creating calls that may have worked although their answer failed: look before making the object again.</summary>
public sealed partial class GitLabApi
{
    /// <summary>
    /// Runs <paramref name="create"/>; when it fails in a way that leaves open whether GitLab made the object (a 5xx, a
    /// broken or timed-out connection after sending, an unreadable success), waits the backoff and asks
    /// <paramref name="find"/>: what it finds is the result; when it finds nothing, the call is made again (up to Retries
    /// times). <paramref name="find"/> throws to stop instead (a runner whose token was only in the lost answer).
    /// </summary>
    /// <param name="what">The object, for messages: "project root/ecr-smoke".</param>
    public async Task<T> CreateOnceAsync<T>(string what, Func<CancellationToken, Task<T>> create, Func<CancellationToken, Task<T?>> find, CancellationToken cancel)
        where T : class
    {
        for (var attempt = 1; ; attempt++)
        {
            GitLabException unclear;
            try
            {
                return await create(cancel);
            }
            catch (GitLabException ex) when (ex.Ambiguous)
            {
                unclear = ex;
            }

            _options.Log?.Invoke($"{_redactor.Redact(unclear.Problem)}: GitLab may have made {what} all the same; looking for it before anything else");
            await Task.Delay(TimeSpan.FromTicks(_options.RetryDelay.Ticks << Math.Min(attempt - 1, 10)), cancel);
            T? found;
            try
            {
                found = await find(cancel);
            }
            catch (GitLabException lookup)
            {
                throw Fail($"{unclear.Problem}; looking for {what}: {lookup.Problem}", lookup.Fix, inner: lookup);
            }

            if (found is not null)
            {
                _options.Log?.Invoke($"{what} is there: GitLab made it before its answer failed; using it, not making another");
                return found;
            }

            if (attempt > _options.Retries)
            {
                throw Fail($"{unclear.Problem}; {what} was not there after {attempt} attempts (looked for after each), so GitLab made nothing", unclear.Fix, inner: unclear);
            }

            _options.Log?.Invoke($"{what} is not there: GitLab made nothing; trying again (attempt {attempt + 1} of {_options.Retries + 1})");
        }
    }
}
