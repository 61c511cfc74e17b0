"""Private links: upload finished outputs to S3-compatible storage and sign expiring links.

:mod:`.step` is the pipeline's ``share`` step, :mod:`.manage` revokes, renews and cleans,
:mod:`.ledger` remembers every share, :mod:`.records` holds the plain data. Only this package
talks to S3, and boto3 is imported only when a share is made.
"""
