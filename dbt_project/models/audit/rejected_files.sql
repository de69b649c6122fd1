-- Files in the inbox that could not be loaded, with the one-line reason (被拒文件).
select
    source_file,
    sha256,
    reason,
    seen_at
from {{ source('inbox', 'rejected_files') }}
