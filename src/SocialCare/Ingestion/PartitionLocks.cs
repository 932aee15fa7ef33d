namespace SocialCare.Ingestion;

/// <summary>
/// Keeps the events of one (workspace, channel account, customer handle) in order within this process, while other
/// customers proceed in parallel: a fixed array of FIFO async locks striped by the partition key's hash.
/// </summary>
internal sealed class PartitionLocks
{
    private const int Stripes = 1024;
    private readonly SemaphoreSlim[] _locks = new SemaphoreSlim[Stripes];

    public PartitionLocks()
    {
        for (var i = 0; i < _locks.Length; i++)
        {
            _locks[i] = new SemaphoreSlim(1, 1);
        }
    }

    public SemaphoreSlim For(InboundEvent e) =>
        _locks[HashCode.Combine(e.WorkspaceId, e.Channel, e.Customer) & (Stripes - 1)];
}
