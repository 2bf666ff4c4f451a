"""The peer of the latency benchmark: atlassian-python-api listing the same
workspaces' members (with their permissions) against the same fake
Bitbucket, the way its documentation shows.

usage: PEER_PAGELEN=N peer.py BASE_URL EMAIL API_TOKEN SLUG...
(N items a page, 100 by default; 10 is the library's own default)
prints: memberships seconds
"""
import os
import sys
import time

from atlassian.bitbucket import Cloud


def main():
    base, email, token, *slugs = sys.argv[1:]
    cloud = Cloud(url=base, username=email, password=token)
    start = time.monotonic()
    pagelen = int(os.environ.get("PEER_PAGELEN", "100"))
    memberships = 0
    for slug in slugs:
        workspace = cloud.workspaces.get(slug)
        for _ in workspace.permissions.each(pagelen=pagelen):
            memberships += 1
    print(memberships, round(time.monotonic() - start, 3))


if __name__ == "__main__":
    main()
