#!/usr/bin/env bash
# Commits Pulumi.$STACK.yaml ("$1" is the message) and pushes it to main, rebasing onto whatever
# the other stacks' deploy jobs pushed meanwhile (each job changes only its own stack file), so a
# promotion or a rollback is never lost and the next deploy does not bring an old digest back.
#   STACK=dev bash .github/commit-stack-file.sh "Promote dev to ..."
set -euo pipefail
file="Pulumi.${STACK:?set STACK}.yaml"
branch=${BRANCH:-main}
if git diff --quiet -- "$file"; then
  echo "$file is unchanged: nothing to record"
  exit 0
fi
git -c user.name="github-actions[bot]" -c user.email="41898282+github-actions[bot]@users.noreply.github.com" \
  commit -m "$1 [skip ci]" -- "$file"
for attempt in 1 2 3 4 5; do
  if git pull --rebase origin "$branch" && git push origin "HEAD:$branch"; then
    exit 0
  fi
  sleep $((attempt * 2))
done
echo "::error::could not push $file to $branch after 5 attempts"
exit 1
