# cmake -DRIGSHIFT=path/to/rigshift -DWORK=scratch-dir -P token_cli.cmake
file(REMOVE_RECURSE "${WORK}")
set(state "${WORK}/state")

function(run expect_rc)
  execute_process(COMMAND ${RIGSHIFT} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  if(NOT rc EQUAL expect_rc)
    message(FATAL_ERROR "rigshift ${ARGN}: exit ${rc}, expected ${expect_rc}\n"
                        "--- stdout:\n${out}--- stderr:\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

function(expect what text regex)
  if(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "${what} does not match '${regex}':\n${text}")
  endif()
endfunction()

# create: the secret alone on stdout; the tenant is created on first use.
run(0 token create --state-dir ${state} --tenant acme --label "ci runner")
expect("create stdout" "${out}" "^rs_[0-9a-f]+\n$")
string(STRIP "${out}" secret)
string(LENGTH "${secret}" secret_length)
if(NOT secret_length EQUAL 43)
  message(FATAL_ERROR "secret '${secret}' is ${secret_length} characters, expected 43")
endif()
expect("create stderr" "${err}" "created tenant 'acme'.*token 1 \\(tenant, tenant acme\\)")
if(NOT EXISTS "${state}/rigshift.db")
  message(FATAL_ERROR "no database at ${state}/rigshift.db")
endif()

run(0 token create --state-dir ${state} --role operator --label ops)
expect("operator create stdout" "${out}" "^rs_[0-9a-f]+\n$")

# list: both tokens, no secret.
run(0 token list --state-dir ${state})
expect("list" "${out}" "ID +ROLE +TENANT.*\n1 +tenant +acme +[0-9-]+T[0-9:]+Z +- +ci runner\n2 +operator +- .* ops\n\\(2 tokens\\)")
string(FIND "${out}" "${secret}" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "list printed a secret:\n${out}")
endif()
string(FIND "${out}" "rs_" any_secret)
if(NOT any_secret EQUAL -1)
  message(FATAL_ERROR "list printed something like a secret:\n${out}")
endif()

# usage errors and a missing database.
run(2 token create --state-dir ${state} --tenant acme --role admin)
expect("bad role stderr" "${err}" "--role")
run(2 token create --state-dir ${state} --tenant acme --bogus)
run(2 token create --state-dir ${state} --role tenant)
run(1 token list --state-dir ${WORK}/nowhere)
expect("missing db stderr" "${err}" "rigshift: error: database ${WORK}/nowhere/rigshift.db")
