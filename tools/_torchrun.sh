# Sourced by dist_train.sh and dist_test.sh (not run on its own).
#   run_torchrun NPROC SCRIPT [SCRIPT options...]
# runs tools/SCRIPT in NPROC processes per node with torchrun, the repository
# on PYTHONPATH. Multi-node: set NNODES, NODE_RANK, MASTER_ADDR (and PORT)
# on every node; PYTHON picks the interpreter.

run_torchrun() {
    local nproc=$1 script=$2
    shift 2
    local tools_dir
    tools_dir=$(dirname "${BASH_SOURCE[0]}")
    PYTHONPATH="${tools_dir}/..${PYTHONPATH:+:${PYTHONPATH}}" \
    "${PYTHON:-python}" -m torch.distributed.run \
        --nnodes="${NNODES:-1}" \
        --node_rank="${NODE_RANK:-0}" \
        --master_addr="${MASTER_ADDR:-127.0.0.1}" \
        --master_port="${PORT:-29500}" \
        --nproc_per_node="${nproc}" \
        "${tools_dir}/${script}" "$@"
}
